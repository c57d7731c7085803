package lab

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/tensor"
)

// Backpropagation through time multiplies the gradient by the same
// recurrent Jacobian at every step, the lecture's diag(1.5)^10 and 0.5^10
// in time instead of depth: it vanishes (or explodes) geometrically with
// the distance. BPTT unrolls a cell over T steps of N(0, 1) inputs, takes
// L = Σ h_T and measures, for every step t, how much of dL reaches h_t.
// The cures are again initialization: an orthogonal or identity W_hh (Le,
// Jaitly and Hinton 2015, "A Simple Way to Initialize Recurrent Networks of
// Rectified Linear Units", arXiv:1504.00941) and, for the LSTM, a forget
// gate biased open (Jozefowicz, Zaremba and Sutskever 2015).

// BPTTConfig is one run: the cell, how W_hh and the forget bias are
// initialized (everything else is PyTorch's default U(±1/sqrt(H))), and the
// sizes. The flag tags are `descent lab bptt`'s flags (internal/cliflag).
type BPTTConfig struct {
	Cell   string `flag:"cell" help:"recurrent cell: rnn, lstm or gru"`
	Act    string `flag:"act" help:"the rnn's nonlinearity: tanh or relu"`                                    // "" is tanh
	InitHH string `flag:"init-hh" help:"each gate's H×H block of weight_hh: default, orthogonal or identity"` // "" is default
	// ForgetBias, with SetForgetBias, is the LSTM's forget-gate part of b_ih
	// (b_hh's is then 0).
	ForgetBias    float64 `flag:"forget-bias" help:"the lstm's forget-gate bias (bias_ih; bias_hh's forget part 0); unset: PyTorch's init"`
	SetForgetBias bool
	Steps         int    `flag:"steps" help:"sequence length T" range:"1,100000"`
	Hidden        int    `flag:"hidden" help:"hidden size H" range:"1,4096"`
	Input         int    `flag:"input" help:"size of each input x_t ~ N(0, 1)" range:"1,4096"`
	Batch         int    `flag:"batch" help:"batch size" range:"1,65536"`
	Seed          uint64 `flag:"seed" help:"random seed (weights, then inputs)"`
}

// DefaultBPTT is the setup: T = 100, H = 128, inputs of 32, batch 64.
var DefaultBPTT = BPTTConfig{Cell: "rnn", Act: "tanh", InitHH: "default", Steps: 100, Hidden: 128, Input: 32, Batch: 64, Seed: 1}

// BPTTComparison lists the runs of the lecture's story, in the sizes and
// seed of base: a tanh RNN, the same with orthogonal W_hh, a ReLU RNN with
// identity W_hh, an LSTM, the LSTM with forget bias 3, and a GRU.
func BPTTComparison(base BPTTConfig) []BPTTConfig {
	run := func(cell, act, initHH string, fb float64, setFB bool) BPTTConfig {
		c := base
		c.Cell, c.Act, c.InitHH, c.ForgetBias, c.SetForgetBias = cell, act, initHH, fb, setFB
		return c
	}
	return []BPTTConfig{
		run("rnn", "tanh", "default", 0, false),
		run("rnn", "tanh", "orthogonal", 0, false),
		run("rnn", "relu", "identity", 0, false),
		run("lstm", "tanh", "default", 0, false),
		run("lstm", "tanh", "default", 3, true),
		run("gru", "tanh", "default", 0, false),
	}
}

// Label names the run for legends: "lstm, forget bias 3", "rnn relu,
// identity" (the init of W_hh).
func (c BPTTConfig) Label() string {
	s := c.Cell
	if c.Cell == "rnn" {
		s += " " + orDefault(c.Act, "tanh")
	}
	if h := orDefault(c.InitHH, "default"); h != "default" {
		s += ", " + h // of W_hh
	}
	if c.SetForgetBias {
		s += fmt.Sprintf(", forget bias %g", c.ForgetBias)
	}
	return s
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func (c BPTTConfig) validate() error {
	switch {
	case c.Cell != "rnn" && c.Cell != "lstm" && c.Cell != "gru":
		return fmt.Errorf("lab: bptt: unknown cell %q; valid: rnn, lstm, gru", c.Cell)
	case c.Cell != "rnn" && orDefault(c.Act, "tanh") != "tanh":
		return fmt.Errorf("lab: bptt: --act %s is the rnn's nonlinearity; the %s's are fixed", c.Act, c.Cell)
	case c.SetForgetBias && c.Cell != "lstm":
		return fmt.Errorf("lab: bptt: a forget bias is for the lstm, not the %s", c.Cell)
	case c.SetForgetBias && (math.IsNaN(c.ForgetBias) || math.IsInf(c.ForgetBias, 0)):
		return fmt.Errorf("lab: bptt: forget bias %v is not a finite number", c.ForgetBias)
	case c.Steps < 1 || c.Hidden < 1 || c.Input < 1 || c.Batch < 1:
		return fmt.Errorf("lab: bptt: steps, hidden, input and batch must be >= 1, got %d, %d, %d, %d", c.Steps, c.Hidden, c.Input, c.Batch)
	}
	switch orDefault(c.InitHH, "default") {
	case "default", "orthogonal", "identity":
		return nil
	}
	return fmt.Errorf("lab: bptt: unknown --init-hh %q; valid: default, orthogonal, identity", c.InitHH)
}

// BPTT runs cfg and returns g_t = the batch mean of ||dL/dh_t|| for t = 1..T
// (index t-1), where L = Σ h_T. The weights are drawn first, then the
// inputs, from one generator seeded with cfg.Seed.
func BPTT(cfg BPTTConfig) ([]float64, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	rng := tensor.NewRand(cfg.Seed)
	step, w, err := bpttCell(cfg, rng)
	if err != nil {
		return nil, err
	}
	if err := initHH(cfg, w, rng); err != nil {
		return nil, err
	}
	if cfg.SetForgetBias {
		h := cfg.Hidden
		fill(w.BiasIH.Value.Data()[h:2*h], cfg.ForgetBias)
		fill(w.BiasHH.Value.Data()[h:2*h], 0)
	}
	g := autograd.New[float64]()
	hs := make([]*autograd.Var[float64], cfg.Steps)
	var h, c *autograd.Var[float64]
	for t := range hs {
		x := tensor.New[float64](cfg.Batch, cfg.Input)
		x.RandN(rng, 0, 1)
		h, c = step(g, autograd.NewConstant(x), h, c)
		hs[t] = h
	}
	g.Backward(g.Sum(h))
	norms := make([]float64, cfg.Steps)
	for t, v := range hs {
		if v.Grad != nil { // a fresh graph: no gradient means none reached h_t
			norms[t] = meanRowNorm(v.Grad.Data(), cfg.Hidden)
		}
	}
	return norms, nil
}

type cellStep = func(g *autograd.Graph[float64], x, h, c *autograd.Var[float64]) (*autograd.Var[float64], *autograd.Var[float64])

// bpttCell builds the cell and returns one step of it and its weights.
func bpttCell(cfg BPTTConfig, rng *rand.Rand) (cellStep, *nn.RecurrentWeights[float64], error) {
	switch cfg.Cell {
	case "lstm":
		m, err := nn.NewLSTMCell[float64](rng, cfg.Input, cfg.Hidden, nn.CellOptions{})
		if err != nil {
			return nil, nil, err
		}
		return m.Step, &m.RecurrentWeights, nil
	case "gru":
		m, err := nn.NewGRUCell[float64](rng, cfg.Input, cfg.Hidden, nn.CellOptions{})
		if err != nil {
			return nil, nil, err
		}
		return func(g *autograd.Graph[float64], x, h, _ *autograd.Var[float64]) (*autograd.Var[float64], *autograd.Var[float64]) {
			return m.Step(g, x, h), nil
		}, &m.RecurrentWeights, nil
	}
	m, err := nn.NewRNNCell[float64](rng, cfg.Input, cfg.Hidden, nn.CellOptions{Nonlinearity: cfg.Act})
	if err != nil {
		return nil, nil, err
	}
	return func(g *autograd.Graph[float64], x, h, _ *autograd.Var[float64]) (*autograd.Var[float64], *autograd.Var[float64]) {
		return m.Step(g, x, h), nil
	}, &m.RecurrentWeights, nil
}

// initHH overwrites each gate's H×H block of W_hh as cfg.InitHH says.
func initHH(cfg BPTTConfig, w *nn.RecurrentWeights[float64], rng *rand.Rand) error {
	var init initializer.Initializer
	switch orDefault(cfg.InitHH, "default") {
	case "default":
		return nil
	case "orthogonal":
		init = initializer.Orthogonal{Gain: 1}
	case "identity":
		init = initializer.Eye{}
	}
	h := cfg.Hidden
	block := tensor.New[float64](h, h)
	data := w.WeightHH.Value.Data()
	for k := 0; k*h*h < len(data); k++ {
		if err := initializer.Apply(init, block, rng); err != nil {
			return fmt.Errorf("lab: bptt: %w", err)
		}
		copy(data[k*h*h:(k+1)*h*h], block.Data())
	}
	return nil
}

func fill(d []float64, v float64) {
	for i := range d {
		d[i] = v
	}
}

// meanRowNorm is the mean over rows of each row's Euclidean norm.
func meanRowNorm(d []float64, cols int) float64 {
	var s float64
	rows := len(d) / cols
	for r := range rows {
		s += norm(d[r*cols : (r+1)*cols])
	}
	return s / float64(rows)
}

// WriteBPTTCSV writes step,grad_norm, one row per step t = 1..T.
func WriteBPTTCSV(w io.Writer, norms []float64) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"step", "grad_norm"})
	for t, g := range norms {
		cw.Write([]string{strconv.Itoa(t + 1), formatFloat(g)})
	}
	cw.Flush()
	return cw.Error()
}

// BPTTRun is one curve of the picture.
type BPTTRun struct {
	Config BPTTConfig
	Norms  []float64
}

// PlotBPTT draws g_t against t for each run on a log scale; steps whose
// gradient underflowed to 0 cannot be drawn and are left out.
func PlotBPTT(path string, runs []BPTTRun) error {
	var series []Series
	for _, r := range runs {
		s := Series{Label: fmt.Sprintf("%s  %.1e", r.Config.Label(), r.Norms[0]/r.Norms[len(r.Norms)-1])}
		for t, g := range r.Norms {
			s.X, s.Y = append(s.X, float64(t+1)), append(s.Y, g)
		}
		series = append(series, s)
	}
	c := runs[0].Config
	title := fmt.Sprintf("BPTT: mean ||dL/dh_t||, L = Σ h_%d (H = %d, batch %d)\nlegend: run, g_1/g_%d", c.Steps, c.Hidden, c.Batch, c.Steps)
	return SavePanels(path, Panel{Title: title, XLabel: "step t", YLabel: "gradient norm (log)", LogY: true,
		LegendBottom: true, Series: series}) // the curves all end at the top right
}

// PlotBPTTAmong draws the run cfg, whose gradient norms are norms, among
// the lecture's comparison runs (BPTTComparison in cfg's sizes), which it
// runs first; cfg's own curve comes first and is not repeated.
func PlotBPTTAmong(path string, cfg BPTTConfig, norms []float64) error {
	runs := []BPTTRun{{Config: cfg, Norms: norms}}
	for _, c := range BPTTComparison(cfg) {
		if c.Label() == cfg.Label() {
			continue
		}
		n, err := BPTT(c)
		if err != nil {
			return err
		}
		runs = append(runs, BPTTRun{Config: c, Norms: n})
	}
	return PlotBPTT(path, runs)
}
