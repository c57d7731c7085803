package main

import (
	"fmt"
	"io"
	"math"
	"os"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/train"
)

// dataUsageError makes a data error (data.InputError) a usage error: one
// line naming the file and line, exit status 2.
func dataUsageError(err error) error { return flagErr(train.DataError(err)) }

// finalMetric is the last line of a run: test accuracy, or for a
// regression test rmse (the root of the test MSE).
func finalMetric(w io.Writer, testSet data.Dataset, h train.EpochMetrics) {
	if train.IsRegression(testSet) {
		fmt.Fprintf(w, "test rmse: %.4f\n", math.Sqrt(h.TestLoss))
		return
	}
	fmt.Fprintf(w, "test accuracy: %.4f\n", h.TestAccuracy)
}

// watchInterrupt turns Ctrl-C, before training proper starts (data
// loading, pretraining), into a message and exit status 130 at once
// (train.PhaseWatch), starting in phase ("loading the data").
func watchInterrupt(phase string) *train.PhaseWatch {
	return train.WatchPhases(phase, func(phase string) {
		fmt.Fprintf(os.Stderr, "descent: interrupted while %s; no training step was taken\n", phase)
		os.Exit(exitInterrupted)
	})
}
