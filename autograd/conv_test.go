package autograd_test

import (
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// cnnStep builds the training issue's CNN, Conv2d(1,32,3)-ReLU-MaxPool2d(2)-
// Conv2d(32,64,3)-ReLU-MaxPool2d(2)-Flatten-Linear(1600,128)-ReLU-
// Linear(128,10), on a float32 graph, and returns one forward + backward
// pass over a batch of the given size.
func cnnStep(batch int) func() {
	rng := tensor.NewRand(1)
	param := func(std float64, shape ...int) *autograd.Var[float32] {
		x := tensor.New[float32](shape...)
		x.RandN(rng, 0, std)
		return autograd.NewParam(x, "")
	}
	c1w, c1b := param(0.3, 32, 1, 3, 3), param(0.1, 32)
	c2w, c2b := param(0.05, 64, 32, 3, 3), param(0.1, 64)
	l1w, l1b := param(0.02, 128, 1600), param(0.1, 128)
	l2w, l2b := param(0.1, 10, 128), param(0.1, 10)
	xs := tensor.New[float32](batch, 1, 28, 28)
	xs.RandU(rng, 0, 1)
	x := autograd.NewConstant(xs)
	targets := make([]int, batch)
	for i := range targets {
		targets[i] = i % 10
	}
	g := autograd.New[float32]()
	return func() {
		h := g.MaxPool2d(g.ReLU(g.Conv2d(x, c1w, c1b, 1, 0)), 2, 2, 0)
		h = g.MaxPool2d(g.ReLU(g.Conv2d(h, c2w, c2b, 1, 0)), 2, 2, 0)
		h = g.ReLU(g.Linear(g.Flatten(h, 1), l1w, l1b))
		g.Backward(g.CrossEntropy(g.Linear(h, l2w, l2b), targets))
	}
}

// TestConvStepAllocatesNothing: once warm, a forward and backward pass of
// the CNN, convolutions and pooling included, must not touch the heap.
func TestConvStepAllocatesNothing(t *testing.T) {
	batch := 64
	if testing.Short() {
		batch = 4
	}
	step := cnnStep(batch)
	step()
	step()
	if n := testing.AllocsPerRun(5, step); n != 0 {
		t.Fatalf("a warm CNN step allocated %v times", n)
	}
}

// BenchmarkCNNStep times the forward and backward pass of the CNN at
// batch 64 in float32 (no optimizer step) and reports samples/s.
func BenchmarkCNNStep(b *testing.B) {
	step := cnnStep(64)
	step()
	for b.Loop() {
		step()
	}
	b.ReportMetric(float64(64*b.N)/b.Elapsed().Seconds(), "samples/s")
}
