package autograd_test

import (
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/autograd/gradcheck"
	"github.com/descent-ml/descent/tensor"
)

type G = autograd.Graph[float64]
type V = autograd.Var[float64]

// gradCase is one row of the gradient-check table: input shapes and a
// function of the inputs. Adding an op means adding a row.
type gradCase struct {
	name   string
	shapes [][]int
	f      func(g *G, in []*V) *V
	// positive draws inputs from U[0.5, 2] instead of N(0, 1), to stay away
	// from kinks and poles (log, sqrt, division).
	positive bool
}

var gradCases = []gradCase{
	{"add", [][]int{{3, 4}, {3, 4}}, func(g *G, in []*V) *V { return g.Add(in[0], in[1]) }, false},
	{"add/broadcast row", [][]int{{3, 4}, {4}}, func(g *G, in []*V) *V { return g.Add(in[0], in[1]) }, false},
	{"add/broadcast both", [][]int{{3, 1}, {1, 4}}, func(g *G, in []*V) *V { return g.Add(in[0], in[1]) }, false},
	{"sub/broadcast", [][]int{{2, 3, 4}, {3, 1}}, func(g *G, in []*V) *V { return g.Sub(in[0], in[1]) }, false},
	{"mul/broadcast", [][]int{{2, 3, 4}, {1, 3, 1}}, func(g *G, in []*V) *V { return g.Mul(in[0], in[1]) }, false},
	{"mul/same input twice", [][]int{{5}}, func(g *G, in []*V) *V { return g.Mul(in[0], in[0]) }, false},
	{"div/broadcast", [][]int{{3, 4}, {4}}, func(g *G, in []*V) *V { return g.Div(in[0], in[1]) }, true},
	{"matmul", [][]int{{3, 4}, {4, 5}}, func(g *G, in []*V) *V { return g.MatMul(in[0], in[1], false, false) }, false},
	{"matmul/transA", [][]int{{4, 3}, {4, 5}}, func(g *G, in []*V) *V { return g.MatMul(in[0], in[1], true, false) }, false},
	{"matmul/transB", [][]int{{3, 4}, {5, 4}}, func(g *G, in []*V) *V { return g.MatMul(in[0], in[1], false, true) }, false},
	{"matmul/transAB", [][]int{{4, 3}, {5, 4}}, func(g *G, in []*V) *V { return g.MatMul(in[0], in[1], true, true) }, false},
	{"matmul/batched", [][]int{{2, 3, 4}, {2, 4, 5}}, func(g *G, in []*V) *V { return g.MatMul(in[0], in[1], false, false) }, false},
	{"matmul/batched shared rhs", [][]int{{2, 3, 4}, {5, 4}}, func(g *G, in []*V) *V { return g.MatMul(in[0], in[1], false, true) }, false},
	{"linear", [][]int{{3, 4}, {5, 4}, {5}}, func(g *G, in []*V) *V { return g.Linear(in[0], in[1], in[2]) }, false},
	{"linear/no bias", [][]int{{2, 3, 4}, {5, 4}}, func(g *G, in []*V) *V { return g.Linear(in[0], in[1], nil) }, false},
	{"relu", [][]int{{4, 5}}, func(g *G, in []*V) *V { return g.ReLU(in[0]) }, false},
	{"sum", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.Sum(in[0]) }, false},
	{"mean", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.Mean(in[0]) }, false},
	{"cross_entropy", [][]int{{4, 5}}, func(g *G, in []*V) *V { return g.CrossEntropy(in[0], []int{0, 4, 2, 2}) }, false},
	{"chain reuse", [][]int{{3, 4}, {4, 4}}, func(g *G, in []*V) *V {
		h := g.MatMul(in[0], in[1], false, false)
		return g.Add(g.Mul(h, h), h) // h is used three times: gradients must accumulate
	}, false},
}

func TestGradcheck(t *testing.T) {
	for i, tc := range gradCases {
		t.Run(tc.name, func(t *testing.T) {
			rng := tensor.NewRand(uint64(i) + 1)
			inputs := make([]*V, len(tc.shapes))
			for k, s := range tc.shapes {
				x := tensor.New[float64](s...)
				if tc.positive {
					x.RandU(rng, 0.5, 2)
				} else {
					x.RandN(rng, 0, 1)
				}
				inputs[k] = autograd.NewParam(x, "")
			}
			if _, err := gradcheck.Check(tc.f, inputs, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestGradcheckCatchesWrongGradient makes sure the checker can fail: a
// deliberately wrong backward rule must be reported.
func TestGradcheckCatchesWrongGradient(t *testing.T) {
	x := tensor.New[float64](4)
	x.RandN(tensor.NewRand(7), 0, 1)
	in := []*V{autograd.NewParam(x, "x")}
	_, err := gradcheck.Check(func(g *G, in []*V) *V { return g.Apply(wrongSquare{}, in[0]) }, in, nil)
	if err == nil {
		t.Fatal("gradcheck accepted a wrong gradient")
	}
}

// wrongSquare computes x² but claims d/dx = x (it should be 2x).
type wrongSquare struct{}

func (wrongSquare) Name() string { return "wrongSquare" }
func (wrongSquare) Forward(dst, x *tensor.Tensor[float64]) {
	for i, v := range x.Data() {
		dst.Data()[i] = v * v
	}
}
func (wrongSquare) Backward(g *G, n *autograd.Node[float64]) {
	gx := g.GradOf(n.In[0])
	for i, v := range n.In[0].Value.Data() {
		gx.Data()[i] += n.Out.Grad.Data()[i] * v
	}
}
