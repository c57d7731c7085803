package dashboard

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/descent-ml/descent/doctor"
	"github.com/descent-ml/descent/monitor"
	"github.com/descent-ml/descent/train"
)

// RunInfo is a run in the run list.
type RunInfo struct {
	Name    string `json:"name"`  // the run's path under the root, "." for the root
	Label   string `json:"label"` // what the page shows
	Step    int    `json:"step"`  // the last recorded step
	Epoch   int    `json:"epoch"`
	Updated int64  `json:"updated"` // last change of its files, Unix milliseconds
}

func (s *Server) runInfo(name string) RunInfo {
	ri := RunInfo{Name: name, Label: name}
	if name == "." {
		ri.Label = s.label
	}
	t, _ := s.modTime(name)
	ri.Updated = t.UnixMilli()
	if rows := s.steps(name); len(rows) > 0 {
		ri.Step, ri.Epoch = rows[len(rows)-1].Step, rows[len(rows)-1].Epoch
	}
	return ri
}

func (s *Server) handleRuns(w http.ResponseWriter, r *http.Request) {
	list := []RunInfo{}
	for _, name := range s.runs() {
		list = append(list, s.runInfo(name))
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].Updated > list[j].Updated })
	writeJSON(w, list)
}

// RunDetail is what the page shows of one run beside the charts.
type RunDetail struct {
	RunInfo
	Config   map[string]any       `json:"config"`
	Command  []string             `json:"command"`
	Metrics  []train.EpochMetrics `json:"metrics"`
	Findings []string             `json:"findings"`
	Layers   []string             `json:"layers"`
	Last     map[string]float64   `json:"last"` // the last steps.csv row
	// Recorded says whether the run has per-step statistics (steps.csv);
	// a language model's run (descent train --text) has only metrics.csv.
	Recorded bool `json:"recorded"`
}

func (s *Server) handleRun(w http.ResponseWriter, r *http.Request) {
	name, ok := s.lookup(r.URL.Query().Get("run"))
	if !ok {
		http.Error(w, "no such run", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	key := "run|" + s.signature([]string{name})
	if b, ok := s.cached(key); ok {
		w.Write(b)
		return
	}
	b, _ := json.Marshal(s.runDetail(name))
	s.store(key, b)
	w.Write(b)
}

func (s *Server) runDetail(name string) RunDetail {
	d := RunDetail{RunInfo: s.runInfo(name), Config: map[string]any{}, Metrics: []train.EpochMetrics{},
		Findings: []string{}, Layers: []string{}, Last: map[string]float64{}}
	if b, err := s.readFile(name, "run.json"); err == nil {
		var info struct {
			Config  map[string]any `json:"config"`
			Command []string       `json:"command"`
		}
		if json.Unmarshal(b, &info) == nil {
			if info.Config != nil {
				d.Config = info.Config
			}
			d.Command = info.Command
		}
	}
	d.Metrics = s.metrics(name)
	if b, err := s.readFile(name, doctor.File); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "diagnosis: ") {
				d.Findings = append(d.Findings, l)
			}
		}
	}
	for _, l := range s.layers(name) {
		if !contains(d.Layers, l.Layer) {
			d.Layers = append(d.Layers, l.Layer)
		}
	}
	if rows := s.steps(name); len(rows) > 0 {
		d.Recorded = true
		last := rows[len(rows)-1]
		for k, v := range map[string]float64{"loss": last.Loss, "lr": last.LR, "momentum": last.Momentum, "grad_norm": last.GradNorm} {
			if v == v { // NaN is not JSON
				d.Last[k] = v
			}
		}
	}
	return d
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (s *Server) metrics(name string) []train.EpochMetrics {
	b, err := s.readFile(name, "metrics.csv")
	if err != nil {
		return nil
	}
	m, _ := train.ReadMetricsCSV(bytes.NewReader(b))
	return m
}

// The readers below go through the root: monitor's readers take paths, so
// the bytes are read here and handed over through a temporary parse.
func (s *Server) steps(name string) []monitor.StepRow {
	b, err := s.readFile(name, monitor.StepsFile)
	if err != nil {
		return nil
	}
	rows, _ := monitor.ParseSteps(b)
	return rows
}

func (s *Server) layers(name string) []monitor.LayerRow {
	b, err := s.readFile(name, monitor.LayersFile)
	if err != nil {
		return nil
	}
	rows, _ := monitor.ParseLayers(b)
	return rows
}

func (s *Server) histograms(name string) []monitor.Histogram {
	b, err := s.readFile(name, monitor.HistogramsFile)
	if err != nil {
		return nil
	}
	rows, _ := monitor.ParseHistograms(b)
	return rows
}

// MaxStreams bounds the event streams a server keeps open at once.
const MaxStreams = 64

// handleEvents streams an "update" event whenever the files of the
// requested runs (all runs when none is named) change. Each client has
// its own poll of the files, so a slow or stalled browser costs training
// nothing: the stream holds one event at a time, changes made while it
// waits on the client are folded into the next event (the latest state),
// and an event the client does not take within WriteTimeout is dropped
// with the client.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	if s.open.Add(1) > MaxStreams {
		s.open.Add(-1)
		http.Error(w, "too many event streams", http.StatusServiceUnavailable)
		return
	}
	defer s.open.Add(-1)
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	rc.SetWriteDeadline(time.Now().Add(s.WriteTimeout))
	w.WriteHeader(http.StatusOK)
	names := s.runsParam(r)
	all := len(names) == 0
	var sig string
	tick := time.NewTicker(s.Poll)
	defer tick.Stop()
	lastWrite := time.Now()
	for {
		if all {
			names = s.runs()
		}
		var msg string
		if now := s.signature(names); now != sig {
			sig = now
			infos := []RunInfo{}
			for _, n := range names {
				infos = append(infos, s.runInfo(n))
			}
			data, _ := json.Marshal(infos)
			msg = "event: update\ndata: " + string(data) + "\n\n"
		} else if time.Since(lastWrite) > 15*time.Second {
			msg = ": keep-alive\n\n"
		}
		if msg != "" {
			rc.SetWriteDeadline(time.Now().Add(s.WriteTimeout))
			_, err := io.WriteString(w, msg)
			if err == nil {
				err = rc.Flush()
			}
			if err != nil {
				s.dropped.Add(1)
				return
			}
			s.sent.Add(1)
			lastWrite = time.Now()
		}
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}
