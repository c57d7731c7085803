package doctor

import (
	"cmp"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/descent-ml/descent/monitor"
	"github.com/descent-ml/descent/train"
)

// Watch records the statistics of the run tr trains into dir
// (monitor.Recorder: steps.csv, layers.csv, histograms.csv) with a Doctor
// watching them, which prints each finding to w and appends it to dir's
// File. It sets tr.Stats; the returned function closes the files.
func Watch(tr *train.Trainer, dir string, w io.Writer) (closeFiles func() error, err error) {
	rec, err := monitor.New(dir, monitor.Options{})
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, File), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		rec.Close()
		return nil, err
	}
	rec.Watch(New(w, f))
	tr.Stats = rec
	return func() error { return cmp.Or(rec.Close(), f.Close()) }, nil
}

// RunFiles names the files of the run in dir, as descent train reports
// them: the files each epoch writes, the statistics files Watch writes
// (steps.csv, layers.csv, histograms.csv, File), then any other file
// (the data's preparation), hidden files left out.
func RunFiles(dir string) []string {
	names := []string{"model.safetensors", train.CheckpointFile, "metrics.csv", "curves.png", train.RunFile,
		monitor.StepsFile, monitor.LayersFile, monitor.HistogramsFile, File}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") && !slices.Contains(names, e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names
}
