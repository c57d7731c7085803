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

func init() {
	register(&command{
		name:     "lab",
		summary:  "run the lecture's experiments (variance, chain, symmetry, bptt)",
		usage:    "<experiment> [flags]",
		examples: []string{"descent lab variance --init torch_default,kaiming_normal --plot variance.png", "descent lab chain --depth 20 --csv chain.csv"},
		run:      func(_ *flag.FlagSet, args []string) error { return runLab(os.Stdout, args) },
	})
}

// runLab runs the experiment named by args[0] (a row of lab.Experiments)
// with the flags of its config.
func runLab(w io.Writer, args []string) error {
	if len(args) == 0 {
		return usagef("missing experiment; valid: %s", strings.Join(lab.ExperimentNames(), ", "))
	}
	if slices.Contains([]string{"-h", "-help", "--help", "help"}, args[0]) {
		fmt.Fprintf(w, "Run the lecture's experiments. Each prints CSV (or writes --csv FILE, or NAME.csv in --out DIR) and draws --plot FILE.\n\nUsage: descent lab <experiment> [flags]\n\nExperiments:\n")
		for _, e := range lab.Experiments {
			fmt.Fprintf(w, "  %-9s %s\n", e.Name, e.Summary)
		}
		fmt.Fprintf(w, "\nRun 'descent lab <experiment> --help' for its flags.\n")
		printExamples(w, find("lab").examples)
		return nil
	}
	e, ok := lab.FindExperiment(args[0])
	if !ok {
		return usagef("unknown experiment %q; valid: %s", args[0], strings.Join(lab.ExperimentNames(), ", "))
	}
	fs := flag.NewFlagSet("descent lab "+e.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := cliflag.BindOutput(fs, e.Name, "draw the picture into FILE (.png, .svg or .pdf)")
	cfg := e.Config()
	cliflag.Bind(fs, cfg)
	finish := labFlags(fs, cfg)
	if err := parseFlags(fs, args[1:]); errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(w, "%s\n\nUsage: descent lab %s %s\n\nFlags:\n", e.Summary, e.Name, e.Usage)
		fs.SetOutput(w)
		fs.PrintDefaults()
		printExamples(w, []string{"descent lab " + e.Name + " --csv " + e.Name + ".csv --plot " + e.Name + ".png"})
		return nil
	} else if err != nil {
		return err
	}
	if err := finish(); err != nil {
		return err
	}
	if err := firstError(usageErr(cliflag.Check(cfg)), usageErr(out.Check(checkPlotPath))); err != nil {
		return err
	}
	res, err := e.Run(cfg)
	if err != nil {
		// e.g. an initializer that does not fit a [W, W] weight; the
		// package's "lab: " prefix would repeat "descent lab: ".
		return usagef("%s", strings.TrimPrefix(err.Error(), "lab: "))
	}
	return out.Write(w, notes, res.CSV, res.Plot)
}

// labFlags defines the flags of cfg that a flag tag cannot hold (lists)
// and returns what fills them into cfg once the flags are parsed.
func labFlags(fs *flag.FlagSet, cfg any) func() error {
	set := "settings k=v,... applied to every initializer of --init"
	switch c := cfg.(type) {
	case *lab.VarianceConfig:
		inits := fs.String("init", "torch_default", "initializers, comma-separated, each NAME or NAME(k=v,...): "+strings.Join(initializer.Names(), ", "))
		set := fs.String("init-set", "", set)
		return func() (err error) { c.Inits, err = initList(*inits, *set); return err }
	case *lab.SymmetryConfig:
		var defInits []string
		for _, n := range c.Inits {
			defInits = append(defInits, n.Label)
		}
		inits := fs.String("init", strings.Join(defInits, ","), "weight initializers to compare, comma-separated, each NAME or NAME(k=v,...)")
		set := fs.String("init-set", "", set)
		hidden := fs.String("hidden", "16,16", "hidden layer widths")
		return func() (err error) {
			if c.Inits, err = initList(*inits, *set); err != nil {
				return err
			}
			if c.Hidden, err = kv.Ints(*hidden); err != nil {
				return usagef("--hidden: %v", err)
			}
			for _, h := range c.Hidden {
				if err := checkRange("hidden", h, 1, 4096); err != nil {
					return err
				}
			}
			if !(c.LR > 0) || c.LR > 1e3 {
				return usagef("--lr %g: must be positive and at most 1000", c.LR)
			}
			return nil
		}
	case *lab.BPTTConfig:
		return func() error { c.SetForgetBias = givenKeys(fs)["forget-bias"]; return nil }
	}
	return func() error { return nil }
}
