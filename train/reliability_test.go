package train_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/schedule"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// TestDivergenceKeepsLastGoodCheckpoint checkpoints every step under an
// absurd learning rate: the run must stop naming a parameter, and the
// checkpoint it names must load, hold only finite weights and be the one
// of the step before the divergence.
func TestDivergenceKeepsLastGoodCheckpoint(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 512, 100)
	dir := t.TempDir()
	tr := newRunHidden(t, trainSet, testSet, dir, 3, 1, []int{32})
	tr.Schedule = &schedule.Constant{LR: 1e6}
	tr.Options.CheckpointEvery = 1
	err := tr.Run(context.Background())
	var de *train.DivergenceError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want a DivergenceError", err)
	}
	t.Log(de)
	if de.Param == "" || de.LR != 1e6 || de.Epoch != 1 || de.Step < 2 {
		t.Fatalf("report %+v: want epoch 1, a step after the first, lr 1e6 and a parameter", de)
	}
	msg := de.Error()
	for _, want := range []string{"epoch 1", "lr 1e+06", de.Param, "Options.ClipGradNorm", "lower learning rate", train.CheckpointFile} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	ck, err := train.LoadCheckpoint(filepath.Join(dir, train.CheckpointFile))
	if err != nil {
		t.Fatalf("the last good checkpoint does not load: %v", err)
	}
	if ck.Position().Step != de.Step-1 || de.CheckpointStep != de.Step-1 {
		t.Fatalf("checkpoint at step %d (reported %d), divergence at step %d: want the step before", ck.Position().Step, de.CheckpointStep, de.Step)
	}
	fresh := newRunHidden(t, trainSet, testSet, "", 3, 1, []int{32})
	if err := fresh.Restore(ck); err != nil {
		t.Fatal(err)
	}
	for _, p := range fresh.Model.Parameters() {
		for _, v := range p.Value.Data() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("checkpointed %s holds %v", p.Name, v)
			}
		}
	}
}

// sqrtOfSquare computes sqrt(x²): |x| with a gradient that is NaN at 0
// (Inf from the square root times 0 from the square), a finite loss with
// non-finite gradients.
type sqrtOfSquare struct{}

func (sqrtOfSquare) Forward(g *autograd.Graph[float32], x *autograd.Var[float32]) *autograd.Var[float32] {
	return g.Sqrt(g.Mul(x, x))
}
func (sqrtOfSquare) Parameters() []*autograd.Var[float32] { return nil }

// TestNonFiniteGradientStopsBeforeTheStep: the loss is finite but the
// gradients are not; the run must stop at step 1 naming the first such
// parameter, without applying the update.
func TestNonFiniteGradientStopsBeforeTheStep(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 64, 32)
	lin, err := nn.NewLinear[float32](tensor.NewRand(1), 784, 10, nn.LinearOptions{WeightInit: initializer.Zeros{}, BiasInit: initializer.Zeros{}})
	if err != nil {
		t.Fatal(err)
	}
	model := nn.NewSequential[float32](lin, sqrtOfSquare{})
	opt, err := optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := train.NewTrainer(model, opt, trainSet, testSet, true, 1, train.Options{BatchSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Run(context.Background())
	var de *train.DivergenceError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want a DivergenceError", err)
	}
	if de.Step != 1 || de.What != "gradient" || de.Param != "0.weight" || math.IsNaN(de.Loss) {
		t.Fatalf("report %+v: want step 1, the gradient of 0.weight, a finite loss", de)
	}
	if tr.Position().Step != 0 {
		t.Fatalf("%d steps counted, want 0", tr.Position().Step)
	}
	for _, v := range lin.Weight.Value.Data() {
		if v != 0 {
			t.Fatalf("the poisoned update was applied: weight %v", v)
		}
	}
}

// newDropoutRun builds a 784-64-10 MLP with Dropout(0.5) whose masks come
// from the trainer's RNG, trained with Adam under one-cycle.
func newDropoutRun(t *testing.T, trainSet, testSet data.Dataset, dir string, seed uint64) *train.Trainer {
	t.Helper()
	rng := tensor.NewRand(seed)
	pcg := rand.NewPCG(seed, 0x5eed)
	l1, err := nn.NewLinear[float32](rng, 784, 64, nn.LinearOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l2, err := nn.NewLinear[float32](rng, 64, 10, nn.LinearOptions{})
	if err != nil {
		t.Fatal(err)
	}
	drop, err := nn.NewDropout[float32](0.5, rand.New(pcg))
	if err != nil {
		t.Fatal(err)
	}
	model := nn.NewSequential[float32](l1, nn.ReLU[float32]{}, drop, l2)
	opt, err := optim.NewAdam(model.Parameters(), optim.AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := train.NewTrainer(model, opt, trainSet, testSet, true, seed, train.Options{Epochs: 2, BatchSize: 32, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	tr.RNG = pcg
	oc := schedule.OneCycleDefaults(1e-2, 2*tr.StepsPerEpoch())
	tr.Schedule = &oc
	return tr
}

// TestDropoutResumeIsExact stops a run with Dropout three times; resumed
// from its checkpoints it must end on the uninterrupted run's bits, which
// needs the layers' random state; resuming without it must not.
func TestDropoutResumeIsExact(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 320, 100)
	ref := newDropoutRun(t, trainSet, testSet, "", 5)
	if err := ref.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, keepRNG := range []bool{true, false} {
		dir := t.TempDir()
		var tr *train.Trainer
		for i, stop := range []int{4, 9, 5, 0} {
			tr = newDropoutRun(t, trainSet, testSet, dir, 5)
			tr.Options.StopAfterSteps = stop
			if i > 0 {
				ck, err := train.LoadCheckpoint(filepath.Join(dir, train.CheckpointFile))
				if err != nil {
					t.Fatal(err)
				}
				if err := tr.Restore(ck); err != nil {
					t.Fatal(err)
				}
				if !keepRNG {
					*tr.RNG = *rand.NewPCG(99, 99)
				}
			}
			if err := tr.Run(context.Background()); (stop > 0) != errors.Is(err, train.ErrInterrupted) || (stop == 0 && err != nil) {
				t.Fatalf("stop after %d: %v", stop, err)
			}
		}
		same := sameWeights(ref.Model, tr.Model)
		if keepRNG && !same {
			t.Fatal("resumed run with dropout differs from the uninterrupted one")
		}
		if !keepRNG && same {
			t.Fatal("resuming with another dropout state gave the same weights: the test cannot see the RNG")
		}
	}
}

func sameWeights(a, b nn.Module[float32]) bool {
	pa, pb := a.Parameters(), b.Parameters()
	for i := range pa {
		x, y := pa[i].Value.Data(), pb[i].Value.Data()
		for j := range x {
			if math.Float32bits(x[j]) != math.Float32bits(y[j]) {
				return false
			}
		}
	}
	return true
}

// TestDeterministicAcrossThreads trains the MLP and the CNN for a few steps
// with one and with two threads (GOMAXPROCS and the kernels' pool) and
// twice with the same settings: the weights must agree bit for bit.
func TestDeterministicAcrossThreads(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer kernel.SetThreads(0)
	trainSet, testSet := mnistSubset(t, 96, 32)
	for _, name := range models.Names {
		var ref nn.Module[float32]
		for _, threads := range []int{1, 2, 2, 1} {
			runtime.GOMAXPROCS(threads)
			kernel.SetThreads(threads)
			model, err := models.New[float32](name, tensor.NewRand(3), models.Options{})
			if err != nil {
				t.Fatal(err)
			}
			opt, err := optim.NewAdam(model.Parameters(), optim.AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
			if err != nil {
				t.Fatal(err)
			}
			tr, err := train.NewTrainer(model, opt, trainSet, testSet, name == "mlp", 3, train.Options{BatchSize: 32})
			if err != nil {
				t.Fatal(err)
			}
			if err := tr.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref = model
			} else if !sameWeights(ref, model) {
				t.Fatalf("%s: weights with %d threads differ from those with 1", name, threads)
			}
		}
	}
}

// TestResumeIsExactPerOptimizer stops and resumes runs whose state lives
// in different places: Adam's moments, Lookahead's slow weights and
// counter around SGD, and ReduceLROnPlateau's learning rate, lowered after
// every epoch (mode max on a falling loss). Each must end on the
// uninterrupted run's bits.
func TestResumeIsExactPerOptimizer(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 256, 64)
	build := func(kind, dir string) *train.Trainer {
		model, err := models.MLP[float32](tensor.NewRand(11), 784, []int{32}, 10, models.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var opt optim.Optimizer[float32]
		switch kind {
		case "adam":
			opt, err = optim.NewAdam(model.Parameters(), optim.AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
		case "lookahead":
			var inner optim.Optimizer[float32]
			if inner, err = optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.05, Momentum: 0.9}); err == nil {
				opt, err = optim.NewLookahead(inner, optim.LookaheadConfig{K: 3, Alpha: 0.5})
			}
		case "plateau":
			opt, err = optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.05})
		}
		if err != nil {
			t.Fatal(err)
		}
		tr, err := train.NewTrainer(model, opt, trainSet, testSet, true, 11, train.Options{Epochs: 3, BatchSize: 32, Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if kind == "plateau" {
			p := schedule.NewPlateau(0.05)
			p.Mode, p.Patience, p.Factor = "max", 0, 0.5
			tr.Plateau = p
		}
		return tr
	}
	for _, kind := range []string{"adam", "lookahead", "plateau"} {
		ref := build(kind, "")
		if err := ref.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		var tr *train.Trainer
		for i, stop := range []int{5, 7, 9, 0} { // mid-epoch in epochs 1, 2 and 3
			tr = build(kind, dir)
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
				t.Fatalf("%s: stop after %d: %v", kind, stop, err)
			}
		}
		if !sameWeights(ref.Model, tr.Model) {
			t.Errorf("%s: resumed run differs from the uninterrupted one", kind)
		}
		if kind == "plateau" && ref.History()[2].LR != 0.025 {
			t.Fatalf("plateau: lr after epoch 3 is %v, want 0.025 (halved after epoch 2): the test does not move the lr", ref.History()[2].LR)
		}
		if h, g := ref.History(), tr.History(); len(g) != 3 || g[2].LR != h[2].LR {
			t.Errorf("%s: lr per epoch after resume %v, uninterrupted %v", kind, g, h)
		}
	}
}
