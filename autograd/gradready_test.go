package autograd_test

import (
	"slices"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// GradReady fires once per parameter, after its gradient is final: a
// weight read by two ops (here the same square matrix in two layers) is
// reported after the earlier op's backward rule, with the gradient that
// Backward ends with; the order is the reverse of first use.
func TestGradReady(t *testing.T) {
	rng := tensor.NewRand(1)
	param := func(name string, shape ...int) *autograd.Var[float32] {
		x := tensor.New[float32](shape...)
		x.RandN(rng, 0, 1)
		return autograd.NewParam(x, name)
	}
	w, b, v := param("w", 4, 4), param("b", 4), param("v", 3, 4)
	x := tensor.New[float32](5, 4)
	x.RandN(rng, 0, 1)
	g := autograd.New[float32]()
	var order []string
	atReady := map[string][]float32{}
	g.GradReady = func(p *autograd.Var[float32]) {
		order = append(order, p.Name)
		atReady[p.Name] = slices.Clone(p.Grad.Data())
	}
	h := g.Tanh(g.Linear(autograd.NewConstant(x), w, b))
	h = g.Tanh(g.Linear(h, w, nil)) // w again, after b's only use
	g.Backward(g.CrossEntropy(g.Linear(h, v, nil), []int{0, 1, 2, 0, 1}))
	if want := []string{"v", "w", "b"}; !slices.Equal(order, want) {
		t.Fatalf("GradReady order %v, want %v (each once)", order, want)
	}
	for _, p := range []*autograd.Var[float32]{w, b, v} {
		if !slices.Equal(atReady[p.Name], p.Grad.Data()) {
			t.Errorf("%s: gradient when reported ready differs from the final one", p.Name)
		}
	}
}
