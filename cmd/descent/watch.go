package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/doctor"
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
	f, err := os.OpenFile(filepath.Join(dir, doctor.File), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		rec.Close()
		return nil, err
	}
	rec.Watch(doctor.New(w, f))
	tr.Stats = rec
	return func() {
		if err := cmp.Or(rec.Close(), f.Close()); err != nil {
			fmt.Fprintf(w, "warning: %v\n", err)
		}
	}, nil
}

// compareRecorder records one run of descent compare into DIR/NAME
// (steps.csv and the others, so that the dashboard can overlay the runs),
// with a name made safe as a directory name. finish writes its
// metrics.csv and returns its step-level loss for compare.png.
func compareRecorder(tr *train.Trainer, dir, name string) (finish func() []train.StepLoss, err error) {
	sub := filepath.Join(dir, strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r == '.' && len(name) <= 2 {
			return '_'
		}
		return r
	}, name))
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return nil, err
	}
	rec, err := monitor.New(sub, monitor.Options{})
	if err != nil {
		return nil, err
	}
	tr.Stats = rec
	return func() []train.StepLoss {
		rec.Close()
		var b bytes.Buffer
		if train.WriteMetricsCSV(&b, tr.History()) == nil {
			os.WriteFile(filepath.Join(sub, "metrics.csv"), b.Bytes(), 0o644)
		}
		return rec.LossCurve()
	}, nil
}
