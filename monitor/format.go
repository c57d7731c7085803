package monitor

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// The headers of the statistics files (docs/monitor.md describes each
// column). They are a contract: readers look columns up by name.
const (
	StepsHeader      = "epoch,step,epoch_frac,loss,lr,momentum,grad_norm"
	LayersHeader     = "epoch,step,layer,kind,act,fan_in,weight_norm,grad_norm,update_ratio,out_mean,out_var,grad_out_var,dead_frac,saturated_frac"
	HistogramsHeader = "epoch,param,lo,hi,counts"
)

// StepRow is one row of steps.csv.
type StepRow struct {
	Epoch, Step int
	EpochFrac   float64 // step / steps per epoch: the x of the loss curve
	Loss        float64 // mean training loss over the steps since the previous row
	LR          float64
	Momentum    float64 // NaN (empty) when no schedule sets it
	GradNorm    float64 // global L2 norm of the gradients before clipping
}

// LayerRow is one row of layers.csv: one layer at one step.
type LayerRow struct {
	Epoch, Step int
	Layer       string // the weight's name without ".weight": "0", "2", ..., "rnn.weight_hh_l0"
	Kind        string // the op: Linear, Conv2d, MatMul, FusedRecurrent
	Act         string // the activation applied to the output, if any
	FanIn       int
	WeightNorm  float64 // |W|
	GradNorm    float64 // |dL/dW|
	UpdateRatio float64 // |W_after - W_before| / |W_before|
	OutMean     float64 // mean of the layer's output y (before the activation)
	OutVar      float64 // variance of y: the lecture's forward variance
	GradOutVar  float64 // variance of dL/dy: the lecture's backward variance
	Dead        float64 // ReLU units zero on the whole batch, as a fraction; NaN if not a ReLU
	Saturated   float64 // sigmoid/tanh outputs in the flat tails, as a fraction; NaN if neither
}

// Histogram is one row of histograms.csv: the weights of one parameter at
// the end of an epoch, in equal bins over [Lo, Hi].
type Histogram struct {
	Epoch  int
	Param  string
	Lo, Hi float64
	Counts []int
}

// NewHistogram bins xs into bins equal bins over their range: x goes to
// bin floor((x-lo)·bins/(hi-lo)), the maximum to the last bin. An empty
// array, or one with a NaN or an infinity, has no range: Lo = Hi = 0 and
// no counts.
func NewHistogram(xs []float32, bins int) Histogram {
	h := Histogram{Counts: make([]int, bins)}
	lo, hi := minMax(xs)
	if len(xs) == 0 || math.IsInf(float64(lo), 0) || math.IsInf(float64(hi), 0) {
		return h
	}
	if lo == hi {
		h.Lo, h.Hi = float64(lo), float64(hi)
		h.Counts[bins-1] = len(xs)
		return h
	}
	l, scale := float64(lo), float64(bins)/(float64(hi)-float64(lo))
	for _, v := range xs {
		// In [0, bins] for v in [lo, hi]; a NaN (which minMax skips)
		// converts to a negative int on amd64, and fails b >= 0 elsewhere.
		b := int((float64(v) - l) * scale)
		if b >= bins {
			b = bins - 1
		} else if !(b >= 0 && v == v) {
			clear(h.Counts)
			return h
		}
		h.Counts[b]++
	}
	h.Lo, h.Hi = float64(lo), float64(hi)
	return h
}

// minMax returns the least and the greatest of xs, skipping NaNs, over two
// chains so that the comparisons overlap.
func minMax(xs []float32) (lo, hi float32) {
	if len(xs) == 0 {
		return 0, 0
	}
	l0, l1, h0, h1 := xs[0], xs[0], xs[0], xs[0]
	i := 0
	for ; i+2 <= len(xs); i += 2 {
		a, b := xs[i], xs[i+1]
		if a < l0 {
			l0 = a
		}
		if a > h0 {
			h0 = a
		}
		if b < l1 {
			l1 = b
		}
		if b > h1 {
			h1 = b
		}
	}
	if i < len(xs) {
		l0, h0 = min(l0, xs[i]), max(h0, xs[i])
	}
	return min(l0, l1), max(h0, h1)
}

func appendFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) {
		return b
	}
	return strconv.AppendFloat(b, v, 'g', 6, 64)
}

func (r StepRow) appendCSV(b []byte) []byte {
	b = strconv.AppendInt(b, int64(r.Epoch), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(r.Step), 10)
	for _, v := range [...]float64{r.EpochFrac, r.Loss, r.LR, r.Momentum, r.GradNorm} {
		b = appendFloat(append(b, ','), v)
	}
	return append(b, '\n')
}

func (r *LayerRow) appendCSV(b []byte) []byte {
	b = strconv.AppendInt(b, int64(r.Epoch), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(r.Step), 10)
	b = append(append(b, ','), r.Layer...)
	b = append(append(b, ','), r.Kind...)
	b = append(append(b, ','), r.Act...)
	b = strconv.AppendInt(append(b, ','), int64(r.FanIn), 10)
	for _, v := range [...]float64{r.WeightNorm, r.GradNorm, r.UpdateRatio, r.OutMean, r.OutVar, r.GradOutVar, r.Dead, r.Saturated} {
		b = appendFloat(append(b, ','), v)
	}
	return append(b, '\n')
}

func (h Histogram) appendCSV(b []byte) []byte {
	b = strconv.AppendInt(b, int64(h.Epoch), 10)
	b = append(append(b, ','), h.Param...)
	b = appendFloat(append(b, ','), h.Lo)
	b = appendFloat(append(b, ','), h.Hi)
	b = append(b, ',')
	for i, c := range h.Counts {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(c), 10)
	}
	return append(b, '\n')
}

// table reads a CSV file written by a Recorder: its header and rows of
// fields. A last line without its newline (a row being written) is left
// out, so that a reader tailing a live run never sees half a row.
func table(b []byte, header string) ([][]string, error) {
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(nil, 1<<20)
	var rows [][]string
	complete := len(b) > 0 && b[len(b)-1] == '\n'
	first := true
	for sc.Scan() {
		line := sc.Text()
		if first {
			if line != header {
				return nil, fmt.Errorf("monitor: header %q, want %q", line, header)
			}
			first = false
			continue
		}
		rows = append(rows, strings.Split(line, ","))
	}
	if !complete && len(rows) > 0 {
		rows = rows[:len(rows)-1]
	}
	return rows, sc.Err()
}

func num(s string) float64 {
	if s == "" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

func integer(s string) int {
	v, _ := strconv.Atoi(s)
	return v
}

// ReadSteps reads steps.csv. When a resumed run repeated steps, the last
// row of each step wins.
func ReadSteps(path string) ([]StepRow, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseSteps(b)
}

// ParseSteps parses the contents of steps.csv.
func ParseSteps(b []byte) ([]StepRow, error) {
	t, err := table(b, StepsHeader)
	if err != nil {
		return nil, err
	}
	var rows []StepRow
	for _, f := range t {
		if len(f) != 7 {
			continue
		}
		r := StepRow{Epoch: integer(f[0]), Step: integer(f[1]), EpochFrac: num(f[2]), Loss: num(f[3]),
			LR: num(f[4]), Momentum: num(f[5]), GradNorm: num(f[6])}
		for len(rows) > 0 && rows[len(rows)-1].Step >= r.Step {
			rows = rows[:len(rows)-1]
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// ReadLayers reads layers.csv. When a resumed run repeated steps, the
// last rows of each step win.
func ReadLayers(path string) ([]LayerRow, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseLayers(b)
}

// ParseLayers parses the contents of layers.csv.
func ParseLayers(b []byte) ([]LayerRow, error) {
	t, err := table(b, LayersHeader)
	if err != nil {
		return nil, err
	}
	var rows []LayerRow
	start := 0 // first row of the current group
	for _, f := range t {
		if len(f) != 14 {
			continue
		}
		r := LayerRow{Epoch: integer(f[0]), Step: integer(f[1]), Layer: f[2], Kind: f[3], Act: f[4], FanIn: integer(f[5]),
			WeightNorm: num(f[6]), GradNorm: num(f[7]), UpdateRatio: num(f[8]), OutMean: num(f[9]), OutVar: num(f[10]),
			GradOutVar: num(f[11]), Dead: num(f[12]), Saturated: num(f[13])}
		// A new group of rows starts at a new step, or at the first layer
		// again; a group at a step already seen (a resumed run) replaces
		// the rows of that step and after.
		if len(rows) > 0 && (r.Step != rows[len(rows)-1].Step || r.Layer == rows[start].Layer) {
			k := len(rows)
			for k > 0 && rows[k-1].Step >= r.Step {
				k--
			}
			rows, start = rows[:k], k
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// ReadHistograms reads histograms.csv.
func ReadHistograms(path string) ([]Histogram, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseHistograms(b)
}

// ParseHistograms parses the contents of histograms.csv.
func ParseHistograms(b []byte) ([]Histogram, error) {
	t, err := table(b, HistogramsHeader)
	if err != nil {
		return nil, err
	}
	var hs []Histogram
	for _, f := range t {
		if len(f) != 5 {
			continue
		}
		h := Histogram{Epoch: integer(f[0]), Param: f[1], Lo: num(f[2]), Hi: num(f[3])}
		for _, c := range strings.Fields(f[4]) {
			h.Counts = append(h.Counts, integer(c))
		}
		hs = append(hs, h)
	}
	return hs, nil
}
