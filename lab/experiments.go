package lab

import "io"

// Experiment is one of the lecture's experiments as a registry row (the
// form of docs/design.md): its name, a one-line summary, the synopsis of
// its flags, a fresh config holding its defaults, and Run. `descent lab
// NAME` binds the config's flag tags (internal/cliflag), fills in what a
// tag cannot hold, and calls Run.
type Experiment struct {
	Name, Summary, Usage string
	// Config returns a pointer to a new config (*VarianceConfig,
	// *ChainConfig, ...) holding the defaults.
	Config func() any
	// Run runs the experiment on cfg, a pointer that Config returned.
	Run func(cfg any) (Result, error)
}

// Result is what an experiment produced: CSV writes its table, Plot draws
// its picture into a .png, .svg or .pdf file.
type Result struct {
	CSV  func(io.Writer) error
	Plot func(path string) error
}

const outUsage = " [--csv FILE] [--plot FILE.png] [--out DIR]"

// Experiments lists the experiments in the lecture's order.
var Experiments = []Experiment{
	{"variance", "how activation and gradient variance evolve with depth under each initializer",
		"[--init NAME[,NAME(k=v,...)...]] [--init-set k=v,...] [--act ACT] [--depth D] [--width W] [--batch B] [--seed S]" + outUsage,
		func() any { c := DefaultVariance; return &c }, func(cfg any) (Result, error) {
			c := *cfg.(*VarianceConfig)
			rows, err := Variance(c)
			return Result{func(w io.Writer) error { return WriteVarianceCSV(w, rows, len(c.Inits) > 1) },
				func(path string) error { return PlotVariance(path, c, rows) }}, err
		}},
	{"chain", "the lecture's y = W_D···W_1·x with W_i = diag(c): exploding and vanishing, both ways",
		"[--scale C] [--depth D] [--width N]" + outUsage,
		func() any { c := DefaultChain; return &c }, func(cfg any) (Result, error) {
			c := *cfg.(*ChainConfig)
			rows, err := Chain(c)
			return Result{func(w io.Writer) error { return WriteChainCSV(w, rows) },
				func(path string) error { return PlotChain(path, c, rows) }}, err
		}},
	{"symmetry", "why zeros and constants fail: units that start equal stay equal",
		"[--init NAME,...] [--hidden 16,16] [--act ACT] [--samples N] [--steps N] [--lr LR] [--seed S]" + outUsage,
		func() any { c := DefaultSymmetry; return &c }, func(cfg any) (Result, error) {
			c := *cfg.(*SymmetryConfig)
			res, err := Symmetry(c)
			return Result{func(w io.Writer) error { return WriteSymmetryCSV(w, res) },
				func(path string) error { return PlotSymmetry(path, c, res) }}, err
		}},
	{"bptt", "backpropagation through time: how much gradient reaches each step of a recurrent net",
		"[--cell rnn|lstm|gru] [--act tanh|relu] [--init-hh default|orthogonal|identity] [--forget-bias B] [--steps 100] [--hidden 128] [--input 32] [--batch 64] [--seed S]" + outUsage,
		func() any { c := DefaultBPTT; return &c }, func(cfg any) (Result, error) {
			c := *cfg.(*BPTTConfig)
			norms, err := BPTT(c)
			// The picture puts this run among the lecture's comparison runs.
			return Result{func(w io.Writer) error { return WriteBPTTCSV(w, norms) },
				func(path string) error { return PlotBPTTAmong(path, c, norms) }}, err
		}},
}

// ExperimentNames returns the names of Experiments, in order.
func ExperimentNames() []string {
	names := make([]string, len(Experiments))
	for i, e := range Experiments {
		names[i] = e.Name
	}
	return names
}

// FindExperiment returns the experiment called name, or false.
func FindExperiment(name string) (Experiment, bool) {
	for _, e := range Experiments {
		if e.Name == name {
			return e, true
		}
	}
	return Experiment{}, false
}
