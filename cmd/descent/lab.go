package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/descent-ml/descent/internal/cliflag"
	"github.com/descent-ml/descent/internal/kv"
	"github.com/descent-ml/descent/lab"
	"github.com/descent-ml/descent/nn/initializer"
)

// experiment is one `descent lab` subcommand: run parses its flags, calls
// check (the output flags') before any work, and returns what writes the
// CSV and what draws the picture.
type experiment struct {
	name, summary, usage string
	run                  func(fs *flag.FlagSet, args []string, check func() error) (labResult, error)
}

type labResult struct {
	csv  func(io.Writer) error
	plot func(path string) error
}

const labOutUsage = " [--csv FILE] [--plot FILE.png] [--out DIR]"

var experiments = []experiment{
	{"variance", "how activation and gradient variance evolve with depth under each initializer",
		"[--init NAME[,NAME(k=v,...)...]] [--init-set k=v,...] [--act ACT] [--depth D] [--width W] [--batch B] [--seed S]" + labOutUsage,
		runVariance},
	{"chain", "the lecture's y = W_D···W_1·x with W_i = diag(c): exploding and vanishing, both ways",
		"[--scale C] [--depth D] [--width N]" + labOutUsage, runChain},
	{"symmetry", "why zeros and constants fail: units that start equal stay equal",
		"[--init NAME,...] [--hidden 16,16] [--act ACT] [--samples N] [--steps N] [--lr LR] [--seed S]" + labOutUsage,
		runSymmetry},
	{"bptt", "backpropagation through time: how much gradient reaches each step of a recurrent net",
		"[--cell rnn|lstm|gru] [--act tanh|relu] [--init-hh default|orthogonal|identity] [--forget-bias B] [--steps 100] [--hidden 128] [--input 32] [--batch 64] [--seed S]" + labOutUsage,
		runBPTT},
}

func init() {
	register(&command{
		name:     "lab",
		summary:  "run the lecture's experiments (variance, chain, symmetry, bptt)",
		usage:    "<experiment> [flags]",
		examples: []string{"descent lab variance --init torch_default,kaiming_normal --plot variance.png", "descent lab chain --depth 20 --csv chain.csv"},
		run:      func(_ *flag.FlagSet, args []string) error { return runLab(os.Stdout, args) },
	})
}

func experimentNames() string {
	names := make([]string, len(experiments))
	for i, e := range experiments {
		names[i] = e.name
	}
	return strings.Join(names, ", ")
}

// runLab dispatches to the experiment named by args[0].
func runLab(w io.Writer, args []string) error {
	if len(args) == 0 {
		return usagef("missing experiment; valid: %s", experimentNames())
	}
	if slices.Contains([]string{"-h", "-help", "--help", "help"}, args[0]) {
		fmt.Fprintf(w, "Run the lecture's experiments. Each prints CSV (or writes --csv FILE, or NAME.csv in --out DIR) and draws --plot FILE.\n\nUsage: descent lab <experiment> [flags]\n\nExperiments:\n")
		for _, e := range experiments {
			fmt.Fprintf(w, "  %-9s %s\n", e.name, e.summary)
		}
		fmt.Fprintf(w, "\nRun 'descent lab <experiment> --help' for its flags.\n")
		printExamples(w, find("lab").examples)
		return nil
	}
	i := slices.IndexFunc(experiments, func(e experiment) bool { return e.name == args[0] })
	if i < 0 {
		return usagef("unknown experiment %q; valid: %s", args[0], experimentNames())
	}
	e := experiments[i]
	fs := flag.NewFlagSet("descent lab "+e.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := addCSVOut(fs, e.name, "draw the picture into FILE (.png, .svg or .pdf)", checkPlotPath)
	res, err := e.run(fs, args[1:], out.check)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(w, "%s\n\nUsage: descent lab %s %s\n\nFlags:\n", e.summary, e.name, e.usage)
		fs.SetOutput(w)
		fs.PrintDefaults()
		printExamples(w, []string{"descent lab " + e.name + " --csv " + e.name + ".csv --plot " + e.name + ".png"})
		return nil
	} else if err != nil {
		return err
	}
	return out.write(w, res.csv, res.plot)
}

// labCheck is cliflag.Check as a usage error.
func labCheck(cfg any) error {
	if err := cliflag.Check(cfg); err != nil {
		return &usageError{err.Error()}
	}
	return nil
}

func checkActFlag(act string) error {
	if slices.Contains(lab.Activations, act) {
		return nil
	}
	return usagef("--act %q: valid: %s", act, strings.Join(lab.Activations, ", "))
}

func runVariance(fs *flag.FlagSet, args []string, check func() error) (labResult, error) {
	inits := fs.String("init", "torch_default", "initializers, comma-separated, each NAME or NAME(k=v,...): "+strings.Join(initializer.Names(), ", "))
	set := fs.String("init-set", "", "settings k=v,... applied to every initializer of --init")
	cfg := lab.DefaultVariance
	cliflag.Bind(fs, &cfg)
	fs.StringVar(&cfg.Act, "act", cfg.Act, "activation: "+strings.Join(lab.Activations, ", "))
	fs.StringVar(&cfg.Norm, "norm", cfg.Norm, "normalize each pre-activation: "+strings.Join(lab.VarianceNorms, ", "))
	if err := parseFlags(fs, args); err != nil {
		return labResult{}, err
	}
	var err error
	if cfg.Inits, err = initList(*inits, *set); err != nil {
		return labResult{}, err
	}
	if err := firstError(checkActFlag(cfg.Act), labCheck(cfg), check()); err != nil {
		return labResult{}, err
	}
	rows, err := lab.Variance(cfg)
	if err != nil {
		return labResult{}, usagef("%v", err) // what remains is an initializer that does not fit a [W, W] weight
	}
	return labResult{func(w io.Writer) error { return lab.WriteVarianceCSV(w, rows, len(cfg.Inits) > 1) },
		func(path string) error { return lab.PlotVariance(path, cfg, rows) }}, nil
}

func runChain(fs *flag.FlagSet, args []string, check func() error) (labResult, error) {
	cfg := lab.DefaultChain
	cliflag.Bind(fs, &cfg)
	if err := parseFlags(fs, args); err != nil {
		return labResult{}, err
	}
	if err := firstError(labCheck(cfg), check()); err != nil {
		return labResult{}, err
	}
	rows, err := lab.Chain(cfg)
	if err != nil {
		return labResult{}, usagef("%v", err)
	}
	return labResult{func(w io.Writer) error { return lab.WriteChainCSV(w, rows) },
		func(path string) error { return lab.PlotChain(path, cfg, rows) }}, nil
}

func runSymmetry(fs *flag.FlagSet, args []string, check func() error) (labResult, error) {
	cfg := lab.DefaultSymmetry
	var defInits []string
	for _, n := range cfg.Inits {
		defInits = append(defInits, n.Label)
	}
	inits := fs.String("init", strings.Join(defInits, ","), "weight initializers to compare, comma-separated, each NAME or NAME(k=v,...)")
	set := fs.String("init-set", "", "settings k=v,... applied to every initializer of --init")
	hidden := fs.String("hidden", "16,16", "hidden layer widths")
	cliflag.Bind(fs, &cfg)
	fs.StringVar(&cfg.Act, "act", cfg.Act, "activation: "+strings.Join(lab.Activations, ", "))
	if err := parseFlags(fs, args); err != nil {
		return labResult{}, err
	}
	var err error
	if cfg.Inits, err = initList(*inits, *set); err != nil {
		return labResult{}, err
	}
	if cfg.Hidden, err = kv.Ints(*hidden); err != nil {
		return labResult{}, usagef("--hidden: %v", err)
	}
	for _, h := range cfg.Hidden {
		if err := checkRange("hidden", h, 1, 4096); err != nil {
			return labResult{}, err
		}
	}
	if !(cfg.LR > 0) || cfg.LR > 1e3 {
		return labResult{}, usagef("--lr %g: must be positive and at most 1000", cfg.LR)
	}
	if err := firstError(checkActFlag(cfg.Act), labCheck(cfg), check()); err != nil {
		return labResult{}, err
	}
	res, err := lab.Symmetry(cfg)
	if err != nil {
		return labResult{}, usagef("%v", err)
	}
	return labResult{func(w io.Writer) error { return lab.WriteSymmetryCSV(w, res) },
		func(path string) error { return lab.PlotSymmetry(path, cfg, res) }}, nil
}

func runBPTT(fs *flag.FlagSet, args []string, check func() error) (labResult, error) {
	cfg := lab.DefaultBPTT
	cliflag.Bind(fs, &cfg)
	if err := parseFlags(fs, args); err != nil {
		return labResult{}, err
	}
	fs.Visit(func(f *flag.Flag) { cfg.SetForgetBias = cfg.SetForgetBias || f.Name == "forget-bias" })
	if err := firstError(labCheck(cfg), check()); err != nil {
		return labResult{}, err
	}
	norms, err := lab.BPTT(cfg)
	if err != nil {
		return labResult{}, usagef("%v", err)
	}
	// The picture puts this run among the lecture's comparison runs.
	return labResult{func(w io.Writer) error { return lab.WriteBPTTCSV(w, norms) },
		func(path string) error { return lab.PlotBPTTAmong(path, cfg, norms) }}, nil
}
