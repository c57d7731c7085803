package lab

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/monitor"
	dtrain "github.com/descent-ml/descent/train"
)

// Record records one contestant of a comparison into dir/name: the
// statistics files of monitor (steps.csv and the others, so that the
// dashboard can overlay the runs), with name made safe as a directory
// name. It sets tr.Stats; finish closes the recorder, writes the run's
// metrics.csv and returns its step-level loss (Contestant.Steps).
func Record(tr *dtrain.Trainer, dir, name string) (finish func() []dtrain.StepLoss, err error) {
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
	return func() []dtrain.StepLoss {
		rec.Close()
		var b bytes.Buffer
		if dtrain.WriteMetricsCSV(&b, tr.History()) == nil {
			os.WriteFile(filepath.Join(sub, "metrics.csv"), b.Bytes(), 0o644)
		}
		return rec.LossCurve()
	}, nil
}
