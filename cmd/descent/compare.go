package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/lab"
	"github.com/descent-ml/descent/monitor"
	"github.com/descent-ml/descent/train"
)

func init() {
	register(&command{
		name:    "compare",
		summary: "train the same model from the same weights with several optimizers or initializers",
		usage: "[--opt sgd,momentum,nesterov,adagrad,rmsprop,adadelta,adam,adamax,nadam,radam] [--lr LR,...]\n" +
			"       [--init kaiming_normal,xavier_uniform,torch_default,zeros] [--epochs N] [--model mlp|cnn|rnn|lstm|gru] [--out DIR]\n\n" +
			"Every run starts from the same initial weights (same seed) and sees the data in the same order.\n" +
			"The runs train side by side, taking turns of 50 ms, so their epoch times are measured alike\n" +
			"(and `descent dashboard OUT` shows them racing).\n" +
			"Writes compare.png (loss and accuracy curves of all runs) and compare.csv to DIR, prints a table.",
		examples: []string{"descent compare --opt sgd,adam --epochs 1 --limit 2000 --out runs/cmp", "descent compare --init kaiming_normal,zeros --epochs 1 --limit 2000"},
		run:      func(fs *flag.FlagSet, args []string) error { return runCompare(os.Stdout, fs, args) },
	})
}

func runCompare(w io.Writer, fs *flag.FlagSet, args []string) error {
	c := train.Defaults()
	c.Schedule = ""
	addTrainFlags(fs, &c)
	opts := fs.String("opt", "sgd,momentum,nesterov,adagrad,rmsprop,adadelta,adam,adamax,nadam,radam", "optimizers to compare (momentum and nesterov: SGD with momentum 0.9)")
	lrs := fs.String("lr", "", "learning rates, one for all or one per optimizer (default: a good value for each)")
	set := fs.String("set", "", "optimizer settings k=v,... applied to every optimizer")
	out := fs.String("out", "", "output directory (default runs/compare-<timestamp>)")
	quiet := fs.Bool("quiet", true, "no progress bars")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	given := givenKeys(fs)
	noteIgnored(w, &c, given)
	c.RecurrentSizeDefaults(given)
	optNames, lrList, initNames := strings.Split(*opts, ","), splitList(*lrs), splitList(c.Init)
	if len(initNames) > 1 && !given["opt"] {
		optNames = []string{"momentum"}
	}
	entries, err := lab.PlanCompare(optNames, lrList, initNames)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "lab: compare")
		if strings.Contains(msg, "learning rate") {
			return usagef("--lr%s", msg)
		}
		return usagef("compare%s (--opt a,b,... or --init a,b,...)", msg)
	}
	if c.Threads > 0 {
		kernel.SetThreads(c.Threads)
	}
	// Validate every entry before training any.
	runs := make([]*train.Run, len(entries))
	for i, e := range entries {
		cfg := c
		cfg.Opt, cfg.Set, cfg.LR, cfg.Init = e.Opt, *set, e.LR, orElse(e.Init, c.Init)
		r, err := prepare(cfg, w, *quiet)
		if err != nil {
			var ue *usageError
			if errors.As(err, &ue) {
				return usagef("%s: %v", e.Name, err)
			}
			return err
		}
		runs[i] = r
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("runs", "compare-"+time.Now().Format("20060102-150405"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usagef("cannot create output directory: %v", err)
	}
	contestants, runDirs := make([]lab.Contestant, len(runs)), make([]string, len(runs))
	for i, r := range runs {
		r.Trainer.Options.Out = nil
		if _, err := r.RestoreOrInit("", io.Discard); err != nil {
			return flagErr(err)
		}
		// Each run is recorded into OUT/NAME, so the dashboard can overlay them.
		steps, err := compareRecorder(r.Trainer, dir, entries[i].Name)
		if err != nil {
			return err
		}
		runDirs[i] = r.Trainer.Stats.(*monitor.Recorder).Dir()
		contestants[i] = lab.Contestant{Name: entries[i].Name, LR: entries[i].LR, Trainer: r.Trainer, Steps: steps}
	}
	title := "optimizers"
	if len(initNames) > 1 {
		title = "initializers"
	}
	results, err := lab.Compare(context.Background(), contestants, dir, title+" on MNIST ("+c.Model+")", w)
	if err != nil {
		return err
	}
	diverged := lab.WriteCompareTable(w, results)
	fmt.Fprintf(w, "wrote %s and %s\n", filepath.Join(dir, "compare.png"), filepath.Join(dir, "compare.csv"))
	for _, r := range runDirs {
		wroteDir(w, r)
	}
	if len(diverged) > 0 {
		// As train: exit status 3 for a divergence, once everything is
		// written; the diverged runs' curves stop at their last finite epoch.
		return &exitError{code: 3, msg: "diverged: " + strings.Join(diverged, ", ") + "; compare.csv and compare.png hold their epochs before it"}
	}
	return nil
}
