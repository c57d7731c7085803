package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/train"
)

// defaultLR is the learning rate compare gives each optimizer unless told:
// the usual good value for this MLP on MNIST with batch 128.
var defaultLR = map[string]string{
	"sgd": "0.1", "momentum": "0.05", "nesterov": "0.05", "adagrad": "0.01", "rmsprop": "0.001",
	"adadelta": "1", "adam": "0.001", "adamw": "0.001", "adamax": "0.002", "nadam": "0.002",
	"radam": "0.001", "lookahead": "0.05",
}

func init() {
	register(&command{
		name:    "compare",
		summary: "train the same model from the same weights with several optimizers or initializers",
		usage: "[--opt sgd,momentum,nesterov,adagrad,rmsprop,adadelta,adam,adamax,nadam,radam] [--lr LR,...]\n" +
			"       [--init kaiming_normal,xavier_uniform,torch_default,zeros] [--epochs N] [--model mlp|cnn] [--out DIR]\n\n" +
			"Every run starts from the same initial weights (same seed) and sees the data in the same order.\n" +
			"Writes compare.png (loss and accuracy curves of all runs) and compare.csv to DIR, prints a table.",
		run: func(fs *flag.FlagSet, args []string) error { return runCompare(os.Stdout, fs, args) },
	})
}

// compareEntry is one contestant.
type compareEntry struct {
	name string
	cfg  trainConfig
}

func runCompare(w io.Writer, fs *flag.FlagSet, args []string) error {
	c := defaultTrainConfig()
	c.Epochs = 2
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
	recurrentSizeDefaults(fs, &c)
	optNames := strings.Split(*opts, ",")
	var initNames []string
	if c.Init != "" {
		initNames = strings.Split(c.Init, ",")
	}
	optGiven := false
	fs.Visit(func(f *flag.Flag) { optGiven = optGiven || f.Name == "opt" })
	if len(initNames) > 1 && !optGiven {
		optNames = []string{"momentum"}
	}
	if len(initNames) > 1 && len(optNames) > 1 {
		return usagef("compare either optimizers (--opt a,b,...) or initializers (--init a,b,...), not both")
	}
	var lrList []string
	if *lrs != "" {
		lrList = strings.Split(*lrs, ",")
		if len(lrList) != 1 && len(lrList) != len(optNames) {
			return usagef("--lr has %d values for %d optimizers: give one, or one per optimizer", len(lrList), len(optNames))
		}
		for _, v := range lrList {
			if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 {
				return usagef("--lr %q: want non-negative numbers", v)
			}
		}
	}
	var entries []compareEntry
	for i, name := range optNames {
		e := c
		e.Opt, e.Set = name, *set
		e.LR = defaultLR[name]
		switch {
		case len(lrList) == 1:
			e.LR = lrList[0]
		case len(lrList) > 1:
			e.LR = lrList[i]
		}
		if len(initNames) <= 1 {
			entries = append(entries, compareEntry{name: name, cfg: e})
			continue
		}
		for _, in := range initNames {
			ei := e
			ei.Init = in
			entries = append(entries, compareEntry{name: in, cfg: ei})
		}
	}
	if c.Threads > 0 {
		kernel.SetThreads(c.Threads)
	}
	// Validate every entry before training any.
	runs := make([]*preparedRun, len(entries))
	for i, e := range entries {
		r, err := prepareRun(e.cfg, w, *quiet)
		if err != nil {
			var ue *usageError
			if errors.As(err, &ue) {
				return usagef("%s: %v", e.name, err)
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
	var series []train.Series
	type row struct {
		name, lr  string
		acc, loss string
		secs      float64
		note      string
	}
	var rows []row
	var diverged []string
	for i, r := range runs {
		e := entries[i]
		r.trainer.Options.Out = nil
		if _, err := r.restoreOrInit("", io.Discard); err != nil {
			return err
		}
		fmt.Fprintf(w, "training %s (lr %s)...\n", e.name, e.cfg.LR)
		start := time.Now()
		err := r.trainer.Run(context.Background())
		secs := time.Since(start).Seconds()
		var de *train.DivergenceError
		note := ""
		if errors.As(err, &de) {
			note = fmt.Sprintf("diverged at step %d", de.Step)
			diverged = append(diverged, fmt.Sprintf("%s (lr %s) at step %d", e.name, e.cfg.LR, de.Step))
		} else if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		h := finiteEpochs(r.trainer.History())
		series = append(series, train.Series{Name: e.name, Rows: h})
		// A run that diverged before a finite epoch has no accuracy to
		// show; 0.0000 would read as a measured one.
		rw := row{name: e.name, lr: e.cfg.LR, acc: "-", loss: "-", secs: secs, note: note}
		if len(h) > 0 {
			last := h[len(h)-1]
			rw.acc, rw.loss = fmt.Sprintf("%.4f", last.TestAccuracy), fmt.Sprintf("%.4f", last.TestLoss)
			if note != "" {
				rw.note += fmt.Sprintf(" (metrics of epoch %d)", last.Epoch)
			}
		}
		rows = append(rows, rw)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tlr\ttest accuracy\ttest loss\tseconds\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f\t%s\n", r.name, r.lr, r.acc, r.loss, r.secs, r.note)
	}
	tw.Flush()
	title := "optimizers"
	if len(initNames) > 1 {
		title = "initializers"
	}
	if err := train.PlotCurves(filepath.Join(dir, "compare.png"), title+" on MNIST ("+c.Model+")", series); err != nil {
		return err
	}
	if err := writeCompareCSV(filepath.Join(dir, "compare.csv"), series); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s and %s\n", filepath.Join(dir, "compare.png"), filepath.Join(dir, "compare.csv"))
	if len(diverged) > 0 {
		// As train: exit status 3 for a divergence, once everything is
		// written; the diverged runs' curves stop at their last finite epoch.
		return &exitError{code: 3, msg: "diverged: " + strings.Join(diverged, ", ") + "; compare.csv and compare.png hold their epochs before it"}
	}
	return nil
}

// finiteEpochs returns the epochs of h whose metrics are all finite: a
// run that diverged at the end of an epoch recorded NaN for it, which a
// plot cannot draw and a CSV should not hold. Divergence stops a run, so
// these are the epochs before it.
func finiteEpochs(h []train.EpochMetrics) []train.EpochMetrics {
	for i, r := range h {
		for _, v := range []float64{r.TrainLoss, r.TestLoss, r.TestAccuracy, r.LR, r.Seconds} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return h[:i]
			}
		}
	}
	return h
}

// writeCompareCSV writes every run's metrics with a leading name column.
func writeCompareCSV(path string, series []train.Series) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	_ = cw.Write(append([]string{"name"}, train.MetricsHeader...))
	for _, s := range series {
		for _, r := range s.Rows {
			_ = cw.Write([]string{s.Name, strconv.Itoa(r.Epoch), formatFloat(r.TrainLoss), formatFloat(r.TestLoss),
				formatFloat(r.TestAccuracy), formatFloat(r.LR), formatFloat(r.Seconds)})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
