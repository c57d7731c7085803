package train_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/schedule"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

func mnistSubset(t testing.TB, nTrain, nTest int) (data.Dataset, data.Dataset) {
	t.Helper()
	tr, te, err := data.LoadMNIST()
	if err != nil {
		t.Fatal(err)
	}
	a, err := data.First(tr, nTrain)
	if err != nil {
		t.Fatal(err)
	}
	b, err := data.First(te, nTest)
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func newRun(t testing.TB, trainSet, testSet data.Dataset, dir string, epochs int, seed uint64) *train.Trainer {
	return newRunHidden(t, trainSet, testSet, dir, epochs, seed, models.DefaultMLPHidden)
}

func newRunHidden(t testing.TB, trainSet, testSet data.Dataset, dir string, epochs int, seed uint64, hidden []int) *train.Trainer {
	t.Helper()
	model, err := models.MLP[float32](tensor.NewRand(seed), 784, hidden, 10, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.05, Momentum: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := train.NewTrainer(model, opt, trainSet, testSet, true, seed, train.Options{Epochs: epochs, BatchSize: 32, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	sched := &schedule.Cosine{LR: 0.05, TMax: epochs * tr.StepsPerEpoch()}
	tr.Schedule = sched
	return tr
}

// TestShortRunLearns trains the default MLP on 2,000 MNIST images: it must
// pass 90% test accuracy (on 1,000 test images) in a few epochs.
func TestShortRunLearns(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 2000, 1000)
	tr := newRun(t, trainSet, testSet, "", 8, 1)
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := tr.History()
	if len(h) != 8 {
		t.Fatalf("history has %d epochs, want 8", len(h))
	}
	acc := h[len(h)-1].TestAccuracy
	t.Logf("test accuracy %.4f", acc)
	if acc < 0.90 {
		t.Fatalf("test accuracy %.4f after 8 epochs on 2,000 images, want >= 0.90", acc)
	}
	if h[len(h)-1].TrainLoss >= h[0].TrainLoss {
		t.Fatalf("train loss did not fall: %v", h)
	}
}

// TestResumeIsExact stops a run twice at chosen steps, resumes it from its
// checkpoint each time, and requires the final weights to equal an
// uninterrupted run's bit for bit.
func TestResumeIsExact(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 600, 200)
	ref := newRun(t, trainSet, testSet, "", 2, 7)
	if err := ref.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var tr *train.Trainer
	for _, stopAfter := range []int{3, 11, 0} {
		tr = newRun(t, trainSet, testSet, dir, 2, 7)
		tr.Options.StopAfterSteps = stopAfter
		if ck, err := train.LoadCheckpoint(filepath.Join(dir, train.CheckpointFile)); err == nil {
			if err := tr.Restore(ck); err != nil {
				t.Fatal(err)
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		err := tr.Run(context.Background())
		if stopAfter > 0 && !errors.Is(err, train.ErrInterrupted) {
			t.Fatalf("stop after %d steps: got %v, want ErrInterrupted", stopAfter, err)
		}
		if stopAfter == 0 && err != nil {
			t.Fatal(err)
		}
	}
	want, got := nn.StateDict[float32](ref.Model), nn.StateDict[float32](tr.Model)
	for i := range want {
		a, b := want[i].Tensor.Data(), got[i].Tensor.Data()
		for j := range a {
			if math.Float32bits(a[j]) != math.Float32bits(b[j]) {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", want[i].Name, j, b[j], a[j])
			}
		}
	}
	if len(tr.History()) != 2 || tr.History()[1].TestAccuracy != ref.History()[1].TestAccuracy {
		t.Fatalf("history after resume %v, want %v", tr.History(), ref.History())
	}
}

// TestDivergenceStops gives SGD an absurd learning rate: the run must stop
// with a DivergenceError naming the step and lr.
func TestDivergenceStops(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 512, 100)
	tr := newRun(t, trainSet, testSet, t.TempDir(), 3, 1)
	tr.Schedule = &schedule.Constant{LR: 1e6}
	err := tr.Run(context.Background())
	var de *train.DivergenceError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want a DivergenceError", err)
	}
	if de.LR != 1e6 || de.Step < 1 {
		t.Fatalf("divergence reported at step %d with lr %g", de.Step, de.LR)
	}
}

// The time spent in Options.Pause is left out of the epoch's seconds.
func TestPauseNotCounted(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 256, 64)
	tr := newRunHidden(t, trainSet, testSet, "", 1, 1, []int{16})
	const nap = 25 * time.Millisecond
	pauses := 0
	tr.Options.Pause = func() { pauses++; time.Sleep(nap) }
	start := time.Now()
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	wall := time.Since(start).Seconds()
	if pauses != tr.StepsPerEpoch() {
		t.Fatalf("Pause called %d times in an epoch of %d steps", pauses, tr.StepsPerEpoch())
	}
	slept := (time.Duration(pauses) * nap).Seconds()
	if got := tr.History()[0].Seconds; got > wall-slept {
		t.Fatalf("epoch took %.3f s, the run %.3f s of which %.3f s paused: the pauses were counted", got, wall, slept)
	}
}
