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

	// Element-wise maths. N(0, 1) inputs land on a kink (abs at 0) with
	// probability ~1e-6 per element; log, sqrt and fractional powers use
	// positive inputs.
	{"exp", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.Exp(in[0]) }, false},
	{"log", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.Log(in[0]) }, true},
	{"sqrt", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.Sqrt(in[0]) }, true},
	{"abs", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.Abs(in[0]) }, false},
	{"neg", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.Neg(in[0]) }, false},
	{"pow/2", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.Pow(in[0], 2) }, false},
	{"pow/3", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.Pow(in[0], 3) }, false},
	{"pow/0.5", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.Pow(in[0], 0.5) }, true},
	{"pow/-1.5", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.Pow(in[0], -1.5) }, true},
	{"pow/0", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.Pow(in[0], 0) }, false},
	{"add_scalar", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.AddScalar(in[0], 2.5) }, false},
	{"mul_scalar", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.MulScalar(in[0], -1.5) }, false},

	// Activations.
	{"tanh", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.Tanh(in[0]) }, false},
	{"sigmoid", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.Sigmoid(in[0]) }, false},
	{"leaky_relu", [][]int{{4, 5}}, func(g *G, in []*V) *V { return g.LeakyReLU(in[0], 0.1) }, false},
	{"gelu", [][]int{{4, 5}}, func(g *G, in []*V) *V { return g.GELU(in[0]) }, false},
	{"softmax/last axis", [][]int{{3, 5}}, func(g *G, in []*V) *V { return g.Softmax(in[0], -1) }, false},
	{"softmax/middle axis", [][]int{{2, 3, 4}}, func(g *G, in []*V) *V { return g.Softmax(in[0], 1) }, false},
	{"softmax/axis 0", [][]int{{3, 2, 2}}, func(g *G, in []*V) *V { return g.Softmax(in[0], 0) }, false},
	{"log_softmax/last axis", [][]int{{3, 5}}, func(g *G, in []*V) *V { return g.LogSoftmax(in[0], 1) }, false},
	{"log_softmax/middle axis", [][]int{{2, 3, 4}}, func(g *G, in []*V) *V { return g.LogSoftmax(in[0], -2) }, false},

	// Reductions over one axis (N(0, 1) inputs: max ties have probability 0).
	{"sum_axis/0 keepdim", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.SumAxis(in[0], 0, true) }, false},
	{"sum_axis/last", [][]int{{2, 3, 4}}, func(g *G, in []*V) *V { return g.SumAxis(in[0], -1, false) }, false},
	{"mean_axis/middle keepdim", [][]int{{2, 3, 4}}, func(g *G, in []*V) *V { return g.MeanAxis(in[0], 1, true) }, false},
	{"mean_axis/0", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.MeanAxis(in[0], 0, false) }, false},
	{"max_axis/last", [][]int{{3, 5}}, func(g *G, in []*V) *V { return g.MaxAxis(in[0], 1, false) }, false},
	{"max_axis/middle keepdim", [][]int{{2, 3, 4}}, func(g *G, in []*V) *V { return g.MaxAxis(in[0], 1, true) }, false},
	{"max_axis/broadcast back", [][]int{{3, 4}}, func(g *G, in []*V) *V {
		return g.Sub(in[0], g.MaxAxis(in[0], -1, true)) // x used twice: direct and through the max
	}, false},

	// Shapes and dropout.
	{"reshape", [][]int{{2, 6}}, func(g *G, in []*V) *V { return g.Mul(g.Reshape(in[0], 3, -1), g.Reshape(in[0], 3, 4)) }, false},
	{"flatten/1", [][]int{{2, 3, 2, 2}}, func(g *G, in []*V) *V { return g.Tanh(g.Flatten(in[0], 1)) }, false},
	{"flatten/0", [][]int{{2, 3}}, func(g *G, in []*V) *V { return g.Flatten(in[0], 0) }, false},
	{"dropout/0.3", [][]int{{4, 5}}, func(g *G, in []*V) *V {
		return g.Dropout(in[0], 0.3, tensor.NewRand(5)) // fixed seed: the same mask in every evaluation
	}, false},
	{"narrow/axis 1", [][]int{{2, 5, 3}}, func(g *G, in []*V) *V { return g.Tanh(g.Narrow(in[0], 1, 1, 3)) }, false},
	{"narrow/twice overlapping", [][]int{{6, 2}}, func(g *G, in []*V) *V {
		return g.Mul(g.Narrow(in[0], 0, 0, 4), g.Narrow(in[0], -2, 2, 4)) // x used twice: gradients must accumulate
	}, false},
	{"select/axis 1", [][]int{{3, 4, 2}}, func(g *G, in []*V) *V { return g.Select(in[0], 1, 2) }, false},
	{"select/last axis", [][]int{{3, 4}}, func(g *G, in []*V) *V { return g.Select(in[0], -1, 0) }, false},
	{"transpose/axes 0 1", [][]int{{3, 4, 2}}, func(g *G, in []*V) *V { return g.Tanh(g.Transpose(in[0], 0, 1)) }, false},
	{"transpose/axes 2 0 of 4", [][]int{{2, 3, 2, 3}}, func(g *G, in []*V) *V { return g.Tanh(g.Transpose(in[0], 2, 0)) }, false},
	{"transpose/used twice", [][]int{{3, 3}}, func(g *G, in []*V) *V {
		return g.Mul(g.Transpose(in[0], 0, 1), in[0]) // gradients must accumulate
	}, false},
	{"concat/axis 0", [][]int{{2, 3}, {4, 3}}, func(g *G, in []*V) *V { return g.Tanh(g.Concat(0, in[0], in[1])) }, false},
	{"concat/last axis, repeated", [][]int{{2, 3, 2}, {2, 3, 1}}, func(g *G, in []*V) *V {
		return g.Concat(-1, in[0], in[1], in[0])
	}, false},
	{"stack/axis 0", [][]int{{2, 3}, {2, 3}}, func(g *G, in []*V) *V { return g.Stack(0, in[0], g.Tanh(in[1])) }, false},
	{"stack/axis 1", [][]int{{2, 3}, {2, 3}, {2, 3}}, func(g *G, in []*V) *V { return g.Stack(1, in[0], in[1], in[2]) }, false},
	{"stack/new last axis", [][]int{{2, 3}, {2, 3}}, func(g *G, in []*V) *V { return g.Stack(2, in[1], in[0]) }, false},
	{"embedding", [][]int{{5, 3}}, func(g *G, in []*V) *V {
		idx := tensor.FromSlice([]float64{4, 0, 4, 2, 1, 4}, 2, 3) // index 4 three times: rows accumulate; 3 never
		return g.Tanh(g.Embedding(in[0], autograd.NewConstant(idx)))
	}, false},
	{"dropout/0", [][]int{{4, 5}}, func(g *G, in []*V) *V { return g.Dropout(g.Tanh(in[0]), 0, tensor.NewRand(5)) }, false},

	// Losses, with a gradient to every input that can have one.
	{"mse", [][]int{{3, 4}, {3, 4}}, func(g *G, in []*V) *V { return g.MSE(in[0], in[1]) }, false},
	{"nll", [][]int{{4, 5}}, func(g *G, in []*V) *V { return g.NLL(in[0], []int{1, 0, 4, 1}) }, false},
	{"nll of log_softmax", [][]int{{4, 5}}, func(g *G, in []*V) *V {
		return g.NLL(g.LogSoftmax(in[0], 1), []int{1, 0, 4, 1})
	}, false},
	{"bce_with_logits", [][]int{{3, 4}, {3, 4}}, func(g *G, in []*V) *V {
		return g.BCEWithLogits(g.MulScalar(in[0], 3), g.Sigmoid(in[1])) // logits of both signs, targets in (0, 1)
	}, false},
	// Normalization: batch statistics (x, weight, bias), fixed statistics,
	// no affine parameters, and LayerNorm over the last one or two axes.
	{"batch_norm/[N, C]", [][]int{{5, 3}, {3}, {3}}, func(g *G, in []*V) *V {
		return g.BatchNorm(in[0], in[1], in[2], 1e-5, nil, nil)
	}, false},
	{"batch_norm/[N, C, H, W]", [][]int{{2, 3, 2, 2}, {3}, {3}}, func(g *G, in []*V) *V {
		return g.BatchNorm(in[0], in[1], in[2], 1e-5, nil, nil)
	}, false},
	{"batch_norm/no affine, reused", [][]int{{4, 2, 3}}, func(g *G, in []*V) *V {
		return g.Mul(g.BatchNorm(in[0], nil, nil, 1e-3, nil, nil), in[0])
	}, false},
	{"batch_norm_eval", [][]int{{4, 3, 2}, {3}, {3}}, func(g *G, in []*V) *V {
		mean, variance := tensor.FromSlice([]float64{0.1, -0.3, 0.5}, 3), tensor.FromSlice([]float64{0.5, 2, 1.5}, 3)
		return g.BatchNormEval(in[0], in[1], in[2], mean, variance, 1e-5)
	}, false},
	{"layer_norm/last axis", [][]int{{3, 5}, {5}, {5}}, func(g *G, in []*V) *V {
		return g.LayerNorm(in[0], in[1], in[2], 5, 1e-5)
	}, false},
	{"layer_norm/last two axes", [][]int{{2, 3, 4}, {3, 4}, {3, 4}}, func(g *G, in []*V) *V {
		return g.LayerNorm(in[0], in[1], in[2], 12, 1e-5)
	}, false},
	{"layer_norm/no affine, reused", [][]int{{3, 4}}, func(g *G, in []*V) *V {
		return g.Mul(g.LayerNorm(in[0], nil, nil, 4, 1e-5), in[0])
	}, false},
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
