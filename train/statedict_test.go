package train_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"testing"

	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// sameState reports whether two models' state dicts (parameters and
// buffers, num_batches_tracked included) agree bit for bit.
func sameState(a, b nn.Module[float32]) bool {
	sa, sb := nn.StateDict(a), nn.StateDict(b)
	if len(sa) != len(sb) {
		return false
	}
	for i := range sa {
		if sa[i].Tensor == nil {
			if sb[i].Tensor != nil || sa[i].Int64[0] != sb[i].Int64[0] {
				return false
			}
			continue
		}
		x, y := sa[i].Tensor.Data(), sb[i].Tensor.Data()
		for j := range x {
			if math.Float32bits(x[j]) != math.Float32bits(y[j]) {
				return false
			}
		}
	}
	return true
}

// TestBatchNormResumeIsExact stops a run of the MLP with BatchNorm twice;
// resumed from its checkpoints it must end on the uninterrupted run's bits,
// running statistics and num_batches_tracked included, and model.safetensors
// must hold the buffers (an int64 num_batches_tracked among them).
func TestBatchNormResumeIsExact(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 256, 64)
	newBNRun := func(dir string) *train.Trainer {
		model, err := models.MLP[float32](tensor.NewRand(3), 784, []int{32}, 10, models.Options{Norm: "batch"})
		if err != nil {
			t.Fatal(err)
		}
		opt, err := optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.05, Momentum: 0.9})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := train.NewTrainer(model, opt, trainSet, testSet, true, 3, train.Options{Epochs: 2, BatchSize: 32, Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	ref := newBNRun("")
	if err := ref.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var tr *train.Trainer
	for i, stop := range []int{5, 7, 0} {
		tr = newBNRun(dir)
		tr.Options.StopAfterSteps = stop
		if i > 0 {
			ck, err := train.LoadCheckpoint(filepath.Join(dir, train.CheckpointFile))
			if err != nil {
				t.Fatal(err)
			}
			if err := tr.Restore(ck); err != nil {
				t.Fatal(err)
			}
		}
		if err := tr.Run(context.Background()); (stop > 0) != errors.Is(err, train.ErrInterrupted) || (stop == 0 && err != nil) {
			t.Fatalf("stop after %d: %v", stop, err)
		}
	}
	if !sameState(ref.Model, tr.Model) {
		t.Fatal("the resumed run with BatchNorm differs from the uninterrupted one (parameters or running statistics)")
	}
	sd, err := train.LoadWeights(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := models.MLP[float32](tensor.NewRand(9), 784, []int{32}, 10, models.Options{Norm: "batch"})
	if err != nil {
		t.Fatal(err)
	}
	if err := nn.LoadStateDict(loaded, sd, true); err != nil {
		t.Fatalf("model.safetensors does not hold the whole state dict: %v", err)
	}
	if !sameState(loaded, tr.Model) {
		t.Fatal("model.safetensors does not round-trip the state dict")
	}
	var tracked int64 = -1
	for _, e := range sd {
		if e.Name == "1.num_batches_tracked" && e.Int64 != nil {
			tracked = e.Int64[0]
		}
	}
	if want := int64(2 * tr.StepsPerEpoch()); tracked != want {
		t.Fatalf("model.safetensors: 1.num_batches_tracked = %d as int64, want %d", tracked, want)
	}
}
