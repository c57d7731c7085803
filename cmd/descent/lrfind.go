package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/internal/cliflag"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/train"
)

func init() {
	register(&command{
		name:    "lr-find",
		summary: "Smith's learning-rate range test: loss against an exponentially growing lr",
		usage: "[--model mlp|cnn|rnn|lstm|gru] [--opt NAME] [--set k=v,...] [--min-lr 1e-7] [--max-lr 10] [--steps N]\n" +
			"       [--batch B] [--seed S] [--out DIR] [--plot FILE.png] [--csv FILE]\n\n" +
			"The learning rate grows exponentially over one pass (or --steps), the loss is recorded and\n" +
			"plotted against it, and base and max learning rates for a cyclic schedule are suggested.\n" +
			"Writes lr-find.png (and, with --out, lr-find.csv) into --out DIR, the current directory by\n" +
			"default; --plot and --csv name the files instead.",
		examples: []string{"descent lr-find --opt adam --limit 5000 --out runs/lr", "descent lr-find --min-lr 1e-5 --max-lr 1 --steps 200"},
		run:      func(fs *flag.FlagSet, args []string) error { return runLRFind(os.Stdout, fs, args) },
	})
}

func runLRFind(w io.Writer, fs *flag.FlagSet, args []string) error {
	c := train.Defaults()
	c.Schedule = ""
	addTrainFlags(fs, &c)
	fs.StringVar(&c.Opt, "opt", c.Opt, "optimizer: "+strings.Join(optimizerNames, ", "))
	fs.StringVar(&c.Set, "set", "momentum=0.9", "optimizer settings k=v,... (default for another --opt: none)")
	o := train.LRFindOptions{MinLR: 1e-7, MaxLR: 10}
	cliflag.Bind(fs, &o)
	out := fs.String("out", "", "output directory for lr-find.png and lr-find.csv (default: lr-find.png in the current directory)")
	plotPath := fs.String("plot", "", "picture of loss against lr (default: lr-find.png in --out)")
	csvPath := fs.String("csv", "", "write step,lr,loss,smoothed_loss to this CSV file (default with --out: lr-find.csv in it)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if st, err := os.Stat(*out); *out != "" && err == nil && !st.IsDir() {
		return usagef("--out %s: not a directory", *out)
	} else if *out != "" {
		*csvPath = orElse(*csvPath, filepath.Join(*out, "lr-find.csv"))
	}
	*plotPath = orElse(*plotPath, filepath.Join(*out, "lr-find.png"))
	given := givenKeys(fs)
	noteIgnored(w, &c, given)
	c.RecurrentSizeDefaults(given)
	if given["epochs"] { // a flag shared with train that the sweep has no use for
		return usagef("--epochs does not apply to lr-find, which sweeps one pass (or --steps N)")
	}
	if c.Opt != "sgd" && !given["set"] {
		c.Set = "" // momentum=0.9 belongs to SGD
	}
	if !(o.MinLR > 0) || !(o.MaxLR > o.MinLR) || math.IsInf(o.MaxLR, 0) {
		return usagef("want 0 < --min-lr < --max-lr, got %g and %g", o.MinLR, o.MaxLR)
	}
	if o.Steps < 0 {
		return usagef("--steps %d: want a positive number, or 0 for one epoch", o.Steps)
	}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return usagef("--out: %v", err)
		}
	}
	if err := firstError(checkOutPath("--plot", *plotPath, ".png"), checkOutPath("--csv", *csvPath, ".csv")); err != nil {
		return err
	}
	if c.Threads > 0 {
		kernel.SetThreads(c.Threads)
	}
	c.LR = formatFloat(o.MinLR)
	run, err := prepare(c, w, true)
	if err != nil {
		return err
	}
	o.BatchSize, _ = c.BatchSize()
	o.Seed, o.Flat = c.Seed, c.Model == "mlp"
	res, err := train.LRFind(run.Model, run.Trainer.Optimizer, run.Train, o)
	if err != nil {
		// A sweep too short or a range that diverges at once.
		var se *train.SweepError
		switch {
		case errors.As(err, &se) && se.Diverged:
			return usagef("%s; lower --min-lr", se.Problem())
		case errors.As(err, &se):
			return usagef("%s (more --steps, or a smaller batch)", se.Problem())
		}
		return &usageError{err.Error()}
	}
	if err := train.PlotLRFind(*plotPath, res); err != nil {
		return err
	}
	if *csvPath != "" {
		if err := cliflag.WriteFile(*csvPath, func(w io.Writer) error { return train.WriteLRFindCSV(w, res) }); err != nil {
			return err
		}
	}
	last := res.Points[len(res.Points)-1]
	fmt.Fprintf(w, "swept lr %.3g to %.3g in %d steps (%s)\n", res.Points[0].LR, last.LR, len(res.Points), c.Opt)
	fmt.Fprintf(w, "suggested base_lr: %.3g (the loss starts to fall)\n", res.BaseLR)
	fmt.Fprintf(w, "suggested max_lr:  %.3g (the loss stops falling)\n", res.MaxLR)
	fmt.Fprintf(w, "try: descent train --opt %s --lr %.3g --schedule cyclic --schedule-set base_lr=%.3g%s\n", c.Opt, res.MaxLR, res.BaseLR, sweptFlags(fs))
	if *csvPath != "" {
		fmt.Fprintf(w, "wrote %s and %s\n", *plotPath, *csvPath)
	} else {
		fmt.Fprintf(w, "wrote %s\n", *plotPath)
	}
	return nil
}

// checkOutPath checks an output file flag: the right extension and a
// directory that exists. An empty path (no file asked for) passes.
func checkOutPath(flagName, path, ext string) error {
	if path != "" && !strings.EqualFold(filepath.Ext(path), ext) {
		return usagef("%s %q: want a %s file", flagName, path, ext)
	}
	return checkOutDir(flagName, path)
}

// sweptFlags is the model, data and batch flags given to lr-find, as
// train flags (" --model lstm --hidden 64"), so that the suggested train
// command trains what was swept; --epochs, --threads and lr-find's own
// flags are left out.
func sweptFlags(fs *flag.FlagSet) string {
	shared := flag.NewFlagSet("", flag.ContinueOnError)
	c := train.Defaults()
	addTrainFlags(shared, &c)
	var b strings.Builder
	fs.Visit(func(f *flag.Flag) {
		if shared.Lookup(f.Name) == nil || f.Name == "epochs" || f.Name == "threads" {
			return
		}
		fmt.Fprintf(&b, " --%s %s", f.Name, shellQuote(f.Value.String()))
	})
	if set := fs.Lookup("set"); set != nil && set.Value.String() != "" && givenKeys(fs)["set"] {
		fmt.Fprintf(&b, " --set %s", shellQuote(set.Value.String()))
	}
	return b.String()
}
