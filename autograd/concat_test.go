package autograd_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// counting returns a parameter [shape] holding 0, 1, 2, ... in row-major order.
func counting(shape ...int) *V {
	x := tensor.New[float64](shape...)
	for i := range x.Data() {
		x.Data()[i] = float64(i)
	}
	return autograd.NewParam(x, "")
}

// TestCutAndJoinValues checks the forward values of Narrow, Select,
// Concat and Stack, worked out by hand on 0, 1, 2, ...
func TestCutAndJoinValues(t *testing.T) {
	g := autograd.New[float64]()
	x := counting(2, 3, 2) // [[[0 1] [2 3] [4 5]] [[6 7] [8 9] [10 11]]]
	a, b := counting(2, 2), counting(2, 1)
	cases := []struct {
		name  string
		y     *V
		shape []int
		want  []float64
	}{
		{"narrow axis 1", g.Narrow(x, 1, 1, 2), []int{2, 2, 2}, []float64{2, 3, 4, 5, 8, 9, 10, 11}},
		{"narrow last axis", g.Narrow(x, -1, 1, 1), []int{2, 3, 1}, []float64{1, 3, 5, 7, 9, 11}},
		{"select axis 0", g.Select(x, 0, 1), []int{3, 2}, []float64{6, 7, 8, 9, 10, 11}},
		{"select axis 1", g.Select(x, 1, 2), []int{2, 2}, []float64{4, 5, 10, 11}},
		{"concat axis 1", g.Concat(1, a, b, a), []int{2, 5}, []float64{0, 1, 0, 0, 1, 2, 3, 1, 2, 3}},
		{"concat axis 0", g.Concat(0, a, a), []int{4, 2}, []float64{0, 1, 2, 3, 0, 1, 2, 3}},
		{"stack axis 0", g.Stack(0, b, b), []int{2, 2, 1}, []float64{0, 1, 0, 1}},
		{"stack axis 1", g.Stack(1, a, a), []int{2, 2, 2}, []float64{0, 1, 0, 1, 2, 3, 2, 3}},
		{"stack new last axis", g.Stack(2, a, a), []int{2, 2, 2}, []float64{0, 0, 1, 1, 2, 2, 3, 3}},
	}
	for _, c := range cases {
		if !slices.Equal(c.y.Shape(), c.shape) || !slices.Equal(c.y.Value.Data(), c.want) {
			t.Errorf("%s: %v %v, want %v %v", c.name, c.y.Shape(), c.y.Value.Data(), c.shape, c.want)
		}
	}
}

// TestStackIsOneNodeInDOT: the per-input nodes of a Stack are drawn as one
// op with an edge from each input.
func TestStackIsOneNodeInDOT(t *testing.T) {
	g := autograd.New[float64]()
	g.Retain = true
	a := counting(2, 2)
	h := []*V{g.Tanh(a), g.Sigmoid(a), g.Exp(a)}
	g.Backward(g.Sum(g.Stack(0, h...)))
	var b bytes.Buffer
	if err := g.WriteDOT(&b, autograd.DOTOptions{Grads: true}); err != nil {
		t.Fatal(err)
	}
	dot := b.String()
	if n := strings.Count(dot, `label="Stack`); n != 1 {
		t.Errorf("%d Stack nodes, want 1:\n%s", n, dot)
	}
	if n := strings.Count(dot, "-> n3;"); n != 3 { // n0..n2 are the three inputs' ops, n3 the stack
		t.Errorf("%d edges into the stack, want 3:\n%s", n, dot)
	}
}
