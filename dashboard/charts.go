package dashboard

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/descent-ml/descent/monitor"
	"github.com/descent-ml/descent/train"
)

// Charts names the charts the page shows, each served as /chart/NAME.svg
// for the runs given as run parameters.
var Charts = []string{"loss", "accuracy", "lr", "momentum", "grad_norm", "forward_var", "backward_var",
	"layer_grad_norm", "update_ratio", "dead", "histograms"}

// runSeries is what one chart draws of one run.
type chartRun struct {
	name, label string
	s           *Server
}

func (s *Server) handleChart(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("name"), ".svg")
	if !ok || !contains(Charts, name) {
		http.Error(w, "no such chart", http.StatusNotFound)
		return
	}
	svg, err := s.chart(name, s.runsParam(r))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	// Written with no lock held: a browser that stalls on it (until
	// WriteTimeout) delays nobody else's chart.
	w.Write(svg)
}

// chart returns the SVG of chart name for the runs names, drawn or from
// the cache. One chart is drawn at a time, and a browser that waited for
// another's drawing of the same chart gets it from the cache: five
// browsers cost one drawing, and the dashboard never takes more than one
// core.
func (s *Server) chart(name string, names []string) ([]byte, error) {
	key := name + "|" + s.signature(names)
	s.render.Lock()
	defer s.render.Unlock()
	if svg, ok := s.cached(key); ok {
		return svg, nil
	}
	var runs []chartRun
	for _, n := range names {
		ri := s.runInfo(n)
		runs = append(runs, chartRun{name: n, label: ri.Label, s: s})
	}
	p := plot.New()
	p.Legend.Top = true
	p.X.Label.Text = "epoch"
	drawn := 0
	for i, run := range runs {
		drawn += s.drawChart(p, name, run, i, len(runs) > 1)
	}
	if drawn == 0 {
		p.Title.Text = "no data yet"
		if !slices.ContainsFunc(runs, func(r chartRun) bool { return len(s.steps(r.name)) > 0 }) &&
			slices.ContainsFunc(runs, func(r chartRun) bool { return len(s.metrics(r.name)) > 0 }) {
			p.Title.Text = "not recorded for this run" // a language model's run: metrics.csv only
		}
		if name == "dead" && slices.ContainsFunc(runs, func(r chartRun) bool { return len(s.layers(r.name)) > 0 }) {
			p.Title.Text = "dead ReLU units per layer: no ReLU layer in this run" // an LSTM's, a tanh MLP's
		}
		// An empty log-scale chart (a run with no layers.csv yet, or a
		// language model's, which has none) has no positive range to tick.
		p.Y.Scale, p.Y.Tick.Marker = plot.LinearScale{}, plot.DefaultTicks{}
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	} else if p.Y.Min == p.Y.Max {
		// A constant (Adam's lr, SGD's momentum): gonum would span ±1
		// around it and flatten 0.001 onto zero; centre it instead.
		v := p.Y.Min
		d := math.Abs(v) / 2
		if d == 0 {
			d = 1
		}
		p.Y.Min, p.Y.Max = v-d, v+d
	}
	c := vgsvg.New(6*vg.Inch, 3.4*vg.Inch)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	s.store(key, buf.Bytes())
	return buf.Bytes(), nil
}

// maxCached bounds the chart cache; past it the cache starts over.
const maxCached = 256

// signature identifies the state of the runs' files: a chart drawn for
// one signature is served again, to every browser, until a file changes.
func (s *Server) signature(names []string) string {
	var b strings.Builder
	for _, n := range names {
		t, size := s.modTime(n)
		fmt.Fprintf(&b, "%q %d %d;", n, t.UnixNano(), size)
	}
	return b.String()
}

func (s *Server) cached(key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.charts[key]
	return b, ok
}

func (s *Server) store(key string, svg []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.charts) >= maxCached {
		clear(s.charts)
	}
	s.charts[key] = svg
}

// title sets the chart's title and y label.
func title(p *plot.Plot, t, y string, log bool) {
	p.Title.Text, p.Y.Label.Text = t, y
	if log {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
}

// logTicks are plot.LogTicks labelled with three significant digits
// (1e-05, not 9.999999999999999e-06).
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	for i, t := range ticks {
		if t.Label != "" {
			ticks[i].Label = strconv.FormatFloat(t.Value, 'g', 3, 64)
		}
	}
	return ticks
}

// drawChart adds run's lines to p and returns how many it drew.
func (s *Server) drawChart(p *plot.Plot, chart string, run chartRun, i int, many bool) int {
	prefix := ""
	if many {
		prefix = run.label + " "
	}
	dashes := [][]vg.Length{nil, {vg.Points(5), vg.Points(3)}, {vg.Points(1), vg.Points(2)}, {vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)}}[i%4]
	switch chart {
	case "loss", "accuracy", "lr", "momentum", "grad_norm":
		return s.drawScalars(p, chart, run, i, prefix)
	case "histograms":
		title(p, "weights at the end of the last epoch", "count", false)
		p.X.Label.Text = "weight"
		hs := s.histograms(run.name)
		if len(hs) == 0 {
			return 0
		}
		last := hs[len(hs)-1].Epoch
		n, k := 0, 0
		for _, h := range hs {
			if h.Epoch != last || !monitor.IsWeightName(h.Param) || h.Hi <= h.Lo {
				continue
			}
			xys := make(plotter.XYs, len(h.Counts))
			for b, c := range h.Counts {
				xys[b] = plotter.XY{X: h.Lo + (float64(b)+0.5)*(h.Hi-h.Lo)/float64(len(h.Counts)), Y: float64(c)}
			}
			n += addLine(p, xys, train.Color(k), dashes, prefix+h.Param)
			k++
		}
		return n
	}
	// Per-layer charts: one line per layer.
	rows := s.layers(run.name)
	var get func(r monitor.LayerRow) float64
	log := true
	switch chart {
	case "forward_var":
		title(p, "forward: variance of each layer's output", "D(y)", true)
		get = func(r monitor.LayerRow) float64 { return r.OutVar }
	case "backward_var":
		title(p, "backward: variance of the gradient reaching each layer", "D(dL/dy)", true)
		get = func(r monitor.LayerRow) float64 { return r.GradOutVar }
	case "layer_grad_norm":
		title(p, "gradient norm per layer", "|dL/dW|", true)
		get = func(r monitor.LayerRow) float64 { return r.GradNorm }
	case "update_ratio":
		title(p, "update ratio |ΔW|/|W| per layer", "ratio", true)
		get = func(r monitor.LayerRow) float64 { return r.UpdateRatio }
	case "dead":
		title(p, "dead ReLU units per layer", "fraction", false)
		log = false
		get = func(r monitor.LayerRow) float64 { return r.Dead }
	}
	steps := s.steps(run.name)
	perEpoch := stepsPerEpoch(steps)
	var order []string
	lines := map[string]plotter.XYs{}
	for _, r := range rows {
		if !slices.Contains(order, r.Layer) { // a layer keeps its colour in every chart, measured there or not
			order = append(order, r.Layer)
		}
		v := get(r)
		if math.IsNaN(v) || math.IsInf(v, 0) || (log && v <= 0) {
			continue
		}
		lines[r.Layer] = append(lines[r.Layer], plotter.XY{X: float64(r.Step) / perEpoch, Y: v})
	}
	n := 0
	for k, layer := range order {
		n += addLine(p, lines[layer], train.Color(k), dashes, prefix+"layer "+layer)
	}
	return n
}

// stepsPerEpoch estimates the steps of an epoch from steps.csv.
func stepsPerEpoch(rows []monitor.StepRow) float64 {
	for i := len(rows) - 1; i >= 0; i-- {
		if rows[i].EpochFrac > 0 {
			return float64(rows[i].Step) / rows[i].EpochFrac
		}
	}
	return 1
}

// drawScalars draws the per-step and per-epoch curves of one run.
func (s *Server) drawScalars(p *plot.Plot, chart string, run chartRun, i int, prefix string) int {
	c := train.Color(i)
	steps := s.steps(run.name)
	metrics := s.metrics(run.name)
	xy := func(get func(monitor.StepRow) float64) plotter.XYs {
		var out plotter.XYs
		for _, r := range steps {
			if v := get(r); !math.IsNaN(v) && !math.IsInf(v, 0) {
				out = append(out, plotter.XY{X: r.EpochFrac, Y: v})
			}
		}
		return out
	}
	epochs := func(get func(train.EpochMetrics) float64) plotter.XYs {
		var out plotter.XYs
		for _, m := range metrics {
			if v := get(m); !math.IsNaN(v) && !math.IsInf(v, 0) {
				out = append(out, plotter.XY{X: float64(m.Epoch), Y: v})
			}
		}
		return out
	}
	dash := []vg.Length{vg.Points(4), vg.Points(3)}
	switch chart {
	case "loss":
		title(p, "loss", "cross-entropy", false)
		sm := train.Smooth(monitor.LossCurve(steps), train.SmoothWeightFor(len(steps)))
		var line plotter.XYs
		for _, v := range sm {
			line = append(line, plotter.XY{X: v.Epoch, Y: v.Loss})
		}
		return addLine(p, line, c, nil, prefix+"train (smoothed)") +
			addPoints(p, epochs(func(m train.EpochMetrics) float64 { return m.TestLoss }), c, dash, prefix+"test")
	case "accuracy":
		title(p, "test accuracy", "accuracy", false)
		return addPoints(p, epochs(func(m train.EpochMetrics) float64 { return m.TestAccuracy }), c, nil, prefix+"test")
	case "lr":
		title(p, "learning rate", "lr", false)
		return addLine(p, xy(func(r monitor.StepRow) float64 { return r.LR }), c, nil, prefix+"lr")
	case "momentum":
		title(p, "momentum (or beta1)", "momentum", false)
		return addLine(p, xy(func(r monitor.StepRow) float64 { return r.Momentum }), c, nil, prefix+"momentum")
	case "grad_norm":
		title(p, "global gradient norm (before clipping)", "|g|", false)
		return addLine(p, xy(func(r monitor.StepRow) float64 { return r.GradNorm }), c, nil, prefix+"|g|")
	}
	return 0
}

func addLine(p *plot.Plot, xys plotter.XYs, c interface{ RGBA() (r, g, b, a uint32) }, dashes []vg.Length, name string) int {
	if len(xys) == 0 {
		return 0
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return 0
	}
	l.Color, l.Dashes = c, dashes
	p.Add(l)
	p.Legend.Add(name, l)
	return 1
}

func addPoints(p *plot.Plot, xys plotter.XYs, c interface{ RGBA() (r, g, b, a uint32) }, dashes []vg.Length, name string) int {
	if len(xys) == 0 {
		return 0
	}
	l, pts, err := plotter.NewLinePoints(xys)
	if err != nil {
		return 0
	}
	l.Color, l.Dashes = c, dashes
	pts.Color, pts.Shape = c, draw.CircleGlyph{}
	p.Add(l, pts)
	p.Legend.Add(name, l)
	return 1
}
