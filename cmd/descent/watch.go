package main

import (
	"fmt"
	"io"

	"github.com/descent-ml/descent/monitor"
	"github.com/descent-ml/descent/train"
)

// watchRun records the run's step-level and per-layer statistics into dir
// (package monitor). The returned function closes the files.
func watchRun(tr *train.Trainer, dir string, w io.Writer) (func(), error) {
	rec, err := monitor.New(dir, monitor.Options{})
	if err != nil {
		return nil, err
	}
	tr.Stats = rec
	return func() {
		if err := rec.Close(); err != nil {
			fmt.Fprintf(w, "warning: %v\n", err)
		}
	}, nil
}
