package autograd_test

import (
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// TestStepAllocatesNothing records the same small MLP step repeatedly: once
// the graph's buffers are warm, a forward and backward pass must not touch
// the heap.
func TestStepAllocatesNothing(t *testing.T) {
	rng := tensor.NewRand(1)
	param := func(name string, shape ...int) *autograd.Var[float32] {
		x := tensor.New[float32](shape...)
		x.RandN(rng, 0, 0.1)
		return autograd.NewParam(x, name)
	}
	w1, b1, w2, b2 := param("0.weight", 16, 8), param("0.bias", 16), param("2.weight", 3, 16), param("2.bias", 3)
	xs := tensor.New[float32](4, 8)
	xs.RandN(rng, 0, 1)
	x := autograd.NewConstant(xs)
	targets := []int{0, 1, 2, 1}
	g := autograd.New[float32]()
	step := func() {
		h := g.ReLU(g.Linear(x, w1, b1))
		h = g.Add(h, g.Mul(h, h))
		loss := g.CrossEntropy(g.Linear(h, w2, b2), targets)
		g.Backward(loss)
	}
	step()
	if n := testing.AllocsPerRun(20, step); n != 0 {
		t.Fatalf("a warm step allocated %v times", n)
	}
}
