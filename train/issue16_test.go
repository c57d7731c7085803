package train_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/schedule"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// TestSelectFrozen: prefixes that leave something to train select those
// parameters; an empty prefix, one matching nothing, and a choice covering
// every parameter are errors.
func TestSelectFrozen(t *testing.T) {
	m, err := models.MLP[float32](tensor.NewRand(1), 4, []int{3}, 2, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		prefixes []string
		want     string // frozen names, or the error's words
		err      bool
	}{
		{[]string{"0."}, "0.weight 0.bias", false},
		{[]string{"2.w"}, "2.weight", false},
		{[]string{"0.", "2."}, "every parameter", true},
		{[]string{"0.", ""}, "empty prefix", true},
		{[]string{""}, "empty prefix", true},
		{[]string{"9."}, `"9." matches no parameter`, true},
	}
	for _, c := range cases {
		got, err := train.SelectFrozen(m, c.prefixes)
		if c.err {
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%q: got error %v, want one saying %q", c.prefixes, err, c.want)
			}
			continue
		}
		var names []string
		for _, p := range got {
			names = append(names, p.Name)
		}
		if err != nil || strings.Join(names, " ") != c.want {
			t.Errorf("%q: got %v, %v; want %s", c.prefixes, names, err, c.want)
		}
	}
}

// TestCheckFinite names the tensor and element of the first NaN or Inf.
func TestCheckFinite(t *testing.T) {
	ok := tensor.New[float32](3)
	for _, v := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
		bad := tensor.New[float32](2, 2)
		bad.Data()[3] = v
		err := train.CheckFinite([]nn.NamedTensor[float32]{{Name: "a", Tensor: ok}, {Name: "b", Tensor: bad}})
		if err == nil || !strings.Contains(err.Error(), `"b"`) || !strings.Contains(err.Error(), "element 3") {
			t.Errorf("%v: got %v", v, err)
		}
	}
	if err := train.CheckFinite([]nn.NamedTensor[float32]{{Name: "a", Tensor: ok}}); err != nil {
		t.Error(err)
	}
}

// TestEpochEndOverflowDiverges: a learning rate that overflows the weights
// at the last step of an epoch is a divergence, and the epoch's files are
// not written.
func TestEpochEndOverflowDiverges(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 64, 64)
	dir := t.TempDir()
	m, err := models.MLP[float32](tensor.NewRand(1), 784, []int{8}, 10, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optim.NewSGD(m.Parameters(), optim.SGDConfig{LR: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	// Full batch: the epoch's one step is its last.
	tr, err := train.NewTrainer(m, opt, trainSet, testSet, true, 1, train.Options{BatchSize: 0, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	tr.Schedule = &schedule.Constant{LR: 1e300} // +Inf in float32
	err = tr.Run(context.Background())
	var de *train.DivergenceError
	if !errors.As(err, &de) || de.Step != 1 {
		t.Fatalf("got %v, want a DivergenceError", err)
	}
	if _, err := train.LoadWeights(filepath.Join(dir, "model.safetensors")); err == nil {
		t.Error("model.safetensors was written from a diverged epoch")
	}
}

// TestRestoreRefusesChangedRun: a checkpoint restores only into a run of
// the same batch size and epoch count.
func TestRestoreRefusesChangedRun(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 64, 32)
	dir := t.TempDir()
	tr := newRunHidden(t, trainSet, testSet, dir, 1, 1, []int{8})
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	ck, err := train.LoadCheckpoint(filepath.Join(dir, train.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name          string
		epochs, batch int
	}{{"epochs", 2, 32}, {"batch", 1, 16}, {"same", 1, 32}} {
		next := newRunHidden(t, trainSet, testSet, "", c.epochs, 1, []int{8})
		if c.batch != 32 {
			m, _ := models.MLP[float32](tensor.NewRand(1), 784, []int{8}, 10, models.Options{})
			opt, _ := optim.NewSGD(m.Parameters(), optim.SGDConfig{LR: 0.05, Momentum: 0.9})
			next, _ = train.NewTrainer(m, opt, trainSet, testSet, true, 1, train.Options{Epochs: c.epochs, BatchSize: c.batch})
		}
		err := next.Restore(ck)
		if c.name == "same" {
			if err != nil {
				t.Errorf("same run: %v", err)
			}
			continue
		}
		if !errors.Is(err, train.ErrRunChanged) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s changed: got %v, want ErrRunChanged", c.name, err)
		}
	}
}

// TestPlateauInfiniteBestCheckpoints: with a threshold of 1 the plateau
// schedule's best loss stays +Inf; the checkpoint stores and restores it.
func TestPlateauInfiniteBestCheckpoints(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 64, 32)
	dir := t.TempDir()
	tr := newRunHidden(t, trainSet, testSet, dir, 1, 1, []int{8})
	tr.Schedule = nil
	tr.Plateau = schedule.NewPlateau(0.05)
	tr.Plateau.Threshold = 1
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(tr.Plateau.State.Best, 1) {
		t.Fatalf("best %v, want +Inf", tr.Plateau.State.Best)
	}
	ck, err := train.LoadCheckpoint(filepath.Join(dir, train.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	next := newRunHidden(t, trainSet, testSet, "", 1, 1, []int{8})
	next.Plateau = schedule.NewPlateau(0.05)
	if err := next.Restore(ck); err != nil {
		t.Fatal(err)
	}
	if next.Plateau.State != tr.Plateau.State {
		t.Errorf("restored plateau state %+v, want %+v", next.Plateau.State, tr.Plateau.State)
	}
}
