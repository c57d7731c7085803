package main

import (
	"fmt"
	"os"

	"github.com/descent-ml/descent/train"
)

// watchInterrupt turns Ctrl-C, before training proper starts (data
// loading, pretraining), into a message and exit status 130 at once
// (train.PhaseWatch), starting in phase ("loading the data").
func watchInterrupt(phase string) *train.PhaseWatch {
	return train.WatchPhases(phase, func(phase string) {
		fmt.Fprintf(os.Stderr, "descent: interrupted while %s; no training step was taken\n", phase)
		os.Exit(exitInterrupted)
	})
}
