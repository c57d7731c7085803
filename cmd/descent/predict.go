package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
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
	path := fs.String("data", "", "a CSV file (the target column may be absent) or a folder of class folders of images (required)")
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
	return train.WritePredictions(w, r.model, ds, r.cfg.Model == "mlp", ids, r.prep.Classes())
}

// trainedRun is a finished run loaded for prediction: its configuration,
// model (in evaluation mode) and preprocessing.
type trainedRun struct {
	cfg   train.Config
	model nn.Module[float32]
	prep  data.RunPrep
}

// loadRun reads run.json, the saved preprocessing and model.safetensors of
// the run in dir, and the data at path as the run's training data were
// read, with the id of each example. labelled says the data must hold
// targets (eval).
func loadRun(dir, path string, labelled bool) (*trainedRun, data.Dataset, []string, error) {
	info, err := train.ReadRunInfo(dir)
	if err != nil {
		return nil, nil, nil, usagef("--run: %s", strings.TrimPrefix(plainFlagErr(err).Error(), "--resume "))
	}
	r := &trainedRun{cfg: info.Config}
	if r.prep.Table, r.prep.Images, err = data.ReadRunPrep(dir); err != nil {
		return nil, nil, nil, usagef("--run %s: %v", dir, err)
	}
	if r.prep.Shape() == nil {
		return nil, nil, nil, usagef("--run %s: the run was not trained on a CSV file or an image folder (no %s or %s); use descent eval --weights for IDX data",
			dir, data.TablePrepFile, data.ImagePrepFile)
	}
	if r.model, err = train.BuildModel(r.cfg, r.prep.Shape(), len(r.prep.Classes())); err != nil {
		return nil, nil, nil, usagef("--run %s: run.json: %v", dir, flagErr(err))
	}
	weights := filepath.Join(dir, "model.safetensors")
	sd, err := train.LoadFiniteWeights(weights)
	if err != nil {
		return nil, nil, nil, usagef("--run %s: %v (has the run finished an epoch?)", dir, err)
	}
	if err := nn.LoadStateDict[float32](r.model, sd, true); err != nil {
		return nil, nil, nil, usagef("%s does not fit the run's model: %v", weights, err)
	}
	ds, ids, hasTargets, err := r.prep.ReadNew(path)
	if err != nil {
		return nil, nil, nil, dataUsageError(err)
	}
	if labelled && !hasTargets {
		return nil, nil, nil, usagef("%s: no target column %s: eval needs labelled data (descent predict takes unlabelled rows)", path, r.prep.Table.Target)
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
	loss, acc := train.Evaluate(r.model, ds, r.cfg.Model == "mlp", 1000, nil)
	fmt.Fprintf(w, "test loss: %.4f on %d examples\n", loss, ds.Len())
	finalMetric(w, ds, train.EpochMetrics{TestLoss: loss, TestAccuracy: acc})
	return nil
}
