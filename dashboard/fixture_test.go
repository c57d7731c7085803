package dashboard

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/doctor"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/monitor"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// liveRun is a real (small) training run writing its files into a
// directory, which a test can advance step by step.
type liveRun struct {
	tr  *train.Trainer
	rec *monitor.Recorder
	doc *os.File
}

// newRun trains a 784-32-10 MLP on random images into dir: the same files
// descent train writes (steps.csv, layers.csv, histograms.csv,
// metrics.csv, diagnoses.txt, run.json).
func newRun(t testing.TB, dir string, seed uint64) *liveRun {
	return newRunOf(t, dir, seed, []int{32}, 16, monitor.Options{Every: 2, LayerEvery: 5})
}

// newRunOf is newRun with a choice of hidden layers, batch size and
// recording intervals.
func newRunOf(t testing.TB, dir string, seed uint64, hidden []int, batch int, mo monitor.Options) *liveRun {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rng := tensor.NewRand(seed)
	n := batch * 50
	px := make([]float32, n*28*28)
	for i := range px {
		px[i] = rng.Float32()
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	ds, err := data.NewImages(px, labels, 28, 28, 10)
	if err != nil {
		t.Fatal(err)
	}
	model, err := models.MLP[float32](rand.New(rand.NewPCG(seed, 2)), 28*28, hidden, 10, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.05, Momentum: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := train.NewTrainer(model, opt, ds, ds, true, seed, train.Options{BatchSize: batch, Epochs: 1000, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := monitor.New(dir, mo)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, doctor.File))
	if err != nil {
		t.Fatal(err)
	}
	rec.Watch(doctor.New(f))
	tr.Stats = rec
	os.WriteFile(filepath.Join(dir, "run.json"), []byte(`{"config":{"model":"mlp","hidden":"32","note":"<script>alert(1)</script>"},"command":["descent","train"]}`), 0o644)
	t.Cleanup(func() { rec.Close(); f.Close() })
	return &liveRun{tr: tr, rec: rec, doc: f}
}

// steps trains n more steps.
func (r *liveRun) steps(t testing.TB, n int) {
	r.tr.Options.StopAfterSteps = n
	if err := r.tr.Run(context.Background()); err != nil && !errors.Is(err, train.ErrInterrupted) {
		t.Fatal(err)
	}
	var b bytes.Buffer
	train.WriteMetricsCSV(&b, r.tr.History())
	os.WriteFile(filepath.Join(r.tr.Options.Dir, "metrics.csv"), b.Bytes(), 0o644)
}
