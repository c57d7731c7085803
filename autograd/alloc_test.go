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

// TestStepWithNewOpsAllocatesNothing does the same for a step built from
// the element-wise, softmax, reduction, reshape, dropout and loss ops: each
// must take its memory from the graph's pools once warm.
func TestStepWithNewOpsAllocatesNothing(t *testing.T) {
	rng := tensor.NewRand(2)
	param := func(name string, shape ...int) *autograd.Var[float32] {
		x := tensor.New[float32](shape...)
		x.RandN(rng, 0, 0.3)
		return autograd.NewParam(x, name)
	}
	w1, b1, w2 := param("0.weight", 12, 8), param("0.bias", 12), param("3.weight", 3, 12)
	xs := tensor.New[float32](2, 4, 4) // reshaped to [4, 2, 4], flattened to [4, 8]
	xs.RandN(rng, 0, 1)
	x := autograd.NewConstant(xs)
	ys := tensor.New[float32](4, 3)
	ys.RandU(rng, 0, 1)
	y := autograd.NewConstant(ys)
	targets := []int{0, 2, 1, 1}
	dropRNG := tensor.NewRand(3)
	g := autograd.New[float32]()
	step := func() {
		h := g.Flatten(g.Reshape(x, 4, 2, -1), 1)
		h = g.Tanh(g.Linear(h, w1, nil))
		h = g.Add(g.GELU(h), g.MulScalar(g.Sigmoid(h), 0.5))
		h = g.Add(h, g.LeakyReLU(b1, 0.01))
		h = g.Dropout(h, 0.25, dropRNG)
		logits := g.Linear(h, w2, nil)
		logp := g.LogSoftmax(logits, 1)
		loss := g.NLL(logp, targets)
		loss = g.Add(loss, g.MSE(g.Softmax(logits, -1), y))
		loss = g.Add(loss, g.BCEWithLogits(logits, y))
		r := g.SumAxis(g.Pow(g.Abs(logits), 2), 1, true)
		r = g.Add(r, g.Sub(g.MaxAxis(logits, 0, true), g.MeanAxis(g.Exp(g.Neg(logits)), 0, false)))
		r = g.Sqrt(g.AddScalar(g.Mul(r, r), 1))
		loss = g.Add(loss, g.Mean(g.Log(r)))
		g.Backward(loss)
	}
	step()
	if n := testing.AllocsPerRun(20, step); n != 0 {
		t.Fatalf("a warm step allocated %v times", n)
	}
}
