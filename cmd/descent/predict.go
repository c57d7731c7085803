package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/train"
)

func init() {
	register(&command{
		name:    "predict",
		summary: "predictions of a trained run on new data, as CSV on standard output",
		usage: "--run DIR --data FILE.csv|DIR\n\n" +
			"Reads the run's model.safetensors, run.json and the preprocessing saved with it, treats the data as\n" +
			"the training data were treated, and writes one CSV row per example: id (the 0-based data row of a\n" +
			"CSV file, or the image's path under DIR), prediction (the label as written in the training data, or\n" +
			"the number for a regression) and, for a classification, p_CLASS: the probability of each class.",
		examples: []string{"descent predict --run runs/blobs --data new.csv > predictions.csv"},
		run:      func(fs *flag.FlagSet, args []string) error { return runPredict(os.Stdout, fs, args) },
	})
}

func runPredict(w io.Writer, fs *flag.FlagSet, args []string) error {
	dir := fs.String("run", "", "the run directory (required)")
	path := fs.String("data", "", "a CSV file (the target column may be absent; columns are matched by name), or a folder of images: of class folders, or without any to predict (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || *path == "" {
		return usagef("--run DIR and --data FILE|DIR are required")
	}
	r, ds, ids, err := loadRun(*dir, *path, false)
	if err != nil {
		return err
	}
	return train.WritePredictions(w, r.Model, ds, r.Config.Model == "mlp", ids, r.Prep.Classes())
}

// loadRun loads the run in dir (train.LoadTrained) and reads the data at
// path as the run's training data were read, with the id of each example.
// labelled says the data must hold targets (eval).
func loadRun(dir, path string, labelled bool) (*train.Trained, data.Dataset, []string, error) {
	r, err := train.LoadTrained(dir)
	if err != nil {
		return nil, nil, nil, flagErr(err)
	}
	ds, ids, hasTargets, err := r.Prep.ReadNew(path)
	if err != nil {
		return nil, nil, nil, flagErr(train.DataError(err))
	}
	switch {
	case labelled && !hasTargets && r.Prep.Table != nil:
		return nil, nil, nil, usagef("%s: no target column %s: eval needs labelled data (descent predict takes unlabelled rows)", path, r.Prep.Table.Target)
	case labelled && !hasTargets:
		return nil, nil, nil, usagef("%s: no class folder (%s): eval needs labelled images (descent predict takes a plain folder of images)", path, strings.Join(r.Prep.Classes(), ", "))
	}
	return r, ds, ids, nil
}

// runEvalRun is descent eval --run DIR --data FILE|DIR: the loss and the
// metric of a trained run on new labelled data.
func runEvalRun(w io.Writer, dir, path string) error {
	if path == "" {
		return usagef("--run needs --data FILE|DIR: the labelled data to evaluate on")
	}
	r, ds, _, err := loadRun(dir, path, true)
	if err != nil {
		return err
	}
	loss, acc := train.Evaluate(r.Model, ds, r.Config.Model == "mlp", 1000, nil)
	fmt.Fprintf(w, "test loss: %.4f on %d examples\n", loss, ds.Len())
	train.WriteFinalMetric(w, ds, train.EpochMetrics{TestLoss: loss, TestAccuracy: acc})
	return nil
}
