package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/descent-ml/descent/lab"
)

// experiment is one `descent lab` subcommand.
type experiment struct {
	name, summary, usage string
	run                  func(w io.Writer, fs *flag.FlagSet, args []string) error
}

var experiments = []experiment{
	{"variance", "how activation and gradient variance evolve with depth under each initializer",
		"[--init NAME[,NAME(k=v,...)...]] [--init-set k=v,...] [--act ACT] [--depth D] [--width W] [--batch B] [--seed S] [--csv FILE] [--plot FILE.png]",
		runVariance},
	{"chain", "the lecture's y = W_D···W_1·x with W_i = diag(c): exploding and vanishing, both ways",
		"[--scale C] [--depth D] [--width N] [--csv FILE] [--plot FILE.png]", runChain},
	{"symmetry", "why zeros and constants fail: units that start equal stay equal",
		"[--init NAME,...] [--hidden 16,16] [--act ACT] [--samples N] [--steps N] [--lr LR] [--seed S] [--csv FILE] [--plot FILE.png]",
		runSymmetry},
	{"bptt", "backpropagation through time: how much gradient reaches each step of a recurrent net",
		"[--cell rnn|lstm|gru] [--act tanh|relu] [--init-hh default|orthogonal|identity] [--forget-bias B] [--steps 100] [--hidden 128] [--input 32] [--batch 64] [--seed S] [--csv FILE] [--plot FILE.png]",
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
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(w, "Run the lecture's experiments. Each prints CSV (or writes --csv FILE) and draws --plot FILE.\n\nUsage: descent lab <experiment> [flags]\n\nExperiments:\n")
		for _, e := range experiments {
			fmt.Fprintf(w, "  %-9s %s\n", e.name, e.summary)
		}
		fmt.Fprintf(w, "\nRun 'descent lab <experiment> --help' for its flags.\n")
		printExamples(w, find("lab").examples)
		return nil
	}
	for _, e := range experiments {
		if e.name != args[0] {
			continue
		}
		fs := flag.NewFlagSet("descent lab "+e.name, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		err := e.run(w, fs, args[1:])
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(w, "%s\n\nUsage: descent lab %s %s\n\nFlags:\n", e.summary, e.name, e.usage)
			fs.SetOutput(w)
			fs.PrintDefaults()
			printExamples(w, []string{"descent lab " + e.name + " --csv " + e.name + ".csv --plot " + e.name + ".png"})
			return nil
		}
		return err
	}
	return usagef("unknown experiment %q; valid: %s", args[0], experimentNames())
}

// outputFlags are --csv and --plot, which every experiment has.
type outputFlags struct{ csv, plot *string }

func addOutputFlags(fs *flag.FlagSet) outputFlags {
	return outputFlags{
		csv:  fs.String("csv", "", "write the CSV to FILE instead of standard output"),
		plot: fs.String("plot", "", "draw the picture into FILE (.png, .svg or .pdf)"),
	}
}

// writeCSV writes through write to --csv FILE, or to w.
func (o outputFlags) writeCSV(w io.Writer, write func(io.Writer) error) error {
	if *o.csv == "" {
		return write(w)
	}
	f, err := os.Create(*o.csv)
	if err != nil {
		return usagef("--csv: %v", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", *o.csv, err)
	}
	return f.Close()
}

// checkRange returns a usage error unless lo <= v <= hi.
func checkRange(flagName string, v, lo, hi int) error {
	if v < lo || v > hi {
		return usagef("--%s %d: must be between %d and %d", flagName, v, lo, hi)
	}
	return nil
}

func checkActFlag(act string) error {
	for _, a := range lab.Activations {
		if a == act {
			return nil
		}
	}
	return usagef("--act %q: valid: %s", act, strings.Join(lab.Activations, ", "))
}

func toNamed(list []namedInit) []lab.NamedInit {
	out := make([]lab.NamedInit, len(list))
	for i, n := range list {
		out[i] = lab.NamedInit{Label: n.label, Init: n.init}
	}
	return out
}

func runVariance(w io.Writer, fs *flag.FlagSet, args []string) error {
	inits := fs.String("init", "torch_default", "initializers, comma-separated, each NAME or NAME(k=v,...): "+strings.Join(initNames(), ", "))
	set := fs.String("init-set", "", "settings k=v,... applied to every initializer of --init")
	act := fs.String("act", "linear", "activation: "+strings.Join(lab.Activations, ", "))
	depth := fs.Int("depth", 10, "number of layers D")
	width := fs.Int("width", 256, "width W of every layer")
	batch := fs.Int("batch", 128, "batch size B of the input x0 ~ N(0, 1)")
	seed := fs.Uint64("seed", 1, "random seed (input, starting gradient, weights)")
	norm := fs.String("norm", "none", "normalize each pre-activation: "+strings.Join(lab.VarianceNorms, ", "))
	out := addOutputFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	list, err := initListFromFlags(*inits, *set)
	if err != nil {
		return usagef("--init: %v", err)
	}
	for _, e := range []error{checkActFlag(*act), checkRange("depth", *depth, 1, 1000), checkRange("width", *width, 1, 4096),
		checkRange("batch", *batch, 1, 65536), checkPlotPath(*out.plot)} {
		if e != nil {
			return e
		}
	}
	cfg := lab.VarianceConfig{Inits: toNamed(list), Act: *act, Norm: *norm, Depth: *depth, Width: *width, Batch: *batch, Seed: *seed}
	rows, err := lab.Variance(cfg)
	if err != nil {
		return usagef("%v", err) // what remains is an initializer that does not fit a [W, W] weight
	}
	if err := out.writeCSV(w, func(w io.Writer) error { return lab.WriteVarianceCSV(w, rows, len(list) > 1) }); err != nil {
		return err
	}
	if *out.plot != "" {
		return lab.PlotVariance(*out.plot, cfg, rows)
	}
	return nil
}

func runChain(w io.Writer, fs *flag.FlagSet, args []string) error {
	scale := fs.Float64("scale", 1.5, "the diagonal c of every W_i")
	depth := fs.Int("depth", 10, "number of matrices D")
	width := fs.Int("width", 4, "size N of x and of each N×N matrix")
	out := addOutputFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	for _, e := range []error{checkRange("depth", *depth, 1, 10000), checkRange("width", *width, 1, 1024), checkPlotPath(*out.plot)} {
		if e != nil {
			return e
		}
	}
	cfg := lab.ChainConfig{Scale: *scale, Depth: *depth, Width: *width}
	rows, err := lab.Chain(cfg)
	if err != nil {
		return usagef("%v", err)
	}
	if err := out.writeCSV(w, func(w io.Writer) error { return lab.WriteChainCSV(w, rows) }); err != nil {
		return err
	}
	if *out.plot != "" {
		return lab.PlotChain(*out.plot, cfg, rows)
	}
	return nil
}

func runSymmetry(w io.Writer, fs *flag.FlagSet, args []string) error {
	def := lab.DefaultSymmetry
	var defInits []string
	for _, n := range def.Inits {
		defInits = append(defInits, n.Label)
	}
	inits := fs.String("init", strings.Join(defInits, ","), "weight initializers to compare, comma-separated, each NAME or NAME(k=v,...)")
	set := fs.String("init-set", "", "settings k=v,... applied to every initializer of --init")
	hidden := fs.String("hidden", "16,16", "hidden layer widths")
	act := fs.String("act", def.Act, "activation: "+strings.Join(lab.Activations, ", "))
	samples := fs.Int("samples", def.Samples, "training points")
	steps := fs.Int("steps", def.Steps, "full-batch gradient steps")
	lr := fs.Float64("lr", def.LR, "learning rate of p -= lr·grad")
	seed := fs.Uint64("seed", def.Seed, "random seed (data, then weights)")
	out := addOutputFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	list, err := initListFromFlags(*inits, *set)
	if err != nil {
		return usagef("--init: %v", err)
	}
	widths, err := parseInts(*hidden)
	if err != nil {
		return usagef("--hidden: %v", err)
	}
	for _, h := range widths {
		if err := checkRange("hidden", h, 1, 4096); err != nil {
			return err
		}
	}
	if !(*lr > 0) || *lr > 1e3 {
		return usagef("--lr %g: must be positive and at most 1000", *lr)
	}
	for _, e := range []error{checkActFlag(*act), checkRange("samples", *samples, 2, 1000000), checkRange("steps", *steps, 0, 10000000), checkPlotPath(*out.plot)} {
		if e != nil {
			return e
		}
	}
	cfg := lab.SymmetryConfig{Inits: toNamed(list), Hidden: widths, Act: *act, Samples: *samples, Steps: *steps, LR: *lr, Seed: *seed}
	res, err := lab.Symmetry(cfg)
	if err != nil {
		return usagef("%v", err)
	}
	if err := out.writeCSV(w, func(w io.Writer) error { return lab.WriteSymmetryCSV(w, res) }); err != nil {
		return err
	}
	if *out.plot != "" {
		return lab.PlotSymmetry(*out.plot, cfg, res)
	}
	return nil
}

func runBPTT(w io.Writer, fs *flag.FlagSet, args []string) error {
	def := lab.DefaultBPTT
	cell := fs.String("cell", def.Cell, "recurrent cell: rnn, lstm or gru")
	act := fs.String("act", def.Act, "the rnn's nonlinearity: tanh or relu")
	initHH := fs.String("init-hh", def.InitHH, "each gate's H×H block of weight_hh: default, orthogonal or identity")
	forgetBias := fs.Float64("forget-bias", 0, "the lstm's forget-gate bias (bias_ih; bias_hh's forget part 0); unset: PyTorch's init")
	steps := fs.Int("steps", def.Steps, "sequence length T")
	hidden := fs.Int("hidden", def.Hidden, "hidden size H")
	input := fs.Int("input", def.Input, "size of each input x_t ~ N(0, 1)")
	batch := fs.Int("batch", def.Batch, "batch size")
	seed := fs.Uint64("seed", def.Seed, "random seed (weights, then inputs)")
	out := addOutputFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg := lab.BPTTConfig{Cell: *cell, Act: *act, InitHH: *initHH, ForgetBias: *forgetBias,
		Steps: *steps, Hidden: *hidden, Input: *input, Batch: *batch, Seed: *seed}
	fs.Visit(func(f *flag.Flag) { cfg.SetForgetBias = cfg.SetForgetBias || f.Name == "forget-bias" })
	for _, e := range []error{checkRange("steps", *steps, 1, 100000), checkRange("hidden", *hidden, 1, 4096),
		checkRange("input", *input, 1, 4096), checkRange("batch", *batch, 1, 65536), checkPlotPath(*out.plot)} {
		if e != nil {
			return e
		}
	}
	norms, err := lab.BPTT(cfg)
	if err != nil {
		return usagef("%v", err)
	}
	if err := out.writeCSV(w, func(w io.Writer) error { return lab.WriteBPTTCSV(w, norms) }); err != nil {
		return err
	}
	if *out.plot == "" {
		return nil
	}
	// The picture puts this run among the lecture's comparison runs.
	runs := []lab.BPTTRun{{Config: cfg, Norms: norms}}
	for _, c := range lab.BPTTComparison(cfg) {
		if c.Label() == cfg.Label() {
			continue
		}
		n, err := lab.BPTT(c)
		if err != nil {
			return err
		}
		runs = append(runs, lab.BPTTRun{Config: c, Norms: n})
	}
	return lab.PlotBPTT(*out.plot, runs)
}
