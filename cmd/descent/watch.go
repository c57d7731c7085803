package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/monitor"
	"github.com/descent-ml/descent/train"
)

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
