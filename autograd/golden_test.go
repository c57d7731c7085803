package autograd_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// goldenOps maps the case names of testdata/ops_golden.json (written by
// testdata/make_ops_golden.py with PyTorch) to the same computation in descent.
var goldenOps = map[string]func(g *G, in []*V) *V{
	"exp":                func(g *G, in []*V) *V { return g.Exp(in[0]) },
	"log":                func(g *G, in []*V) *V { return g.Log(in[0]) },
	"sqrt":               func(g *G, in []*V) *V { return g.Sqrt(in[0]) },
	"abs":                func(g *G, in []*V) *V { return g.Abs(in[0]) },
	"neg":                func(g *G, in []*V) *V { return g.Neg(in[0]) },
	"pow/2":              func(g *G, in []*V) *V { return g.Pow(in[0], 2) },
	"pow/3":              func(g *G, in []*V) *V { return g.Pow(in[0], 3) },
	"pow/-1.5":           func(g *G, in []*V) *V { return g.Pow(in[0], -1.5) },
	"pow/0":              func(g *G, in []*V) *V { return g.Pow(in[0], 0) },
	"add_scalar":         func(g *G, in []*V) *V { return g.AddScalar(in[0], 2.5) },
	"mul_scalar":         func(g *G, in []*V) *V { return g.MulScalar(in[0], -1.5) },
	"relu":               func(g *G, in []*V) *V { return g.ReLU(in[0]) },
	"tanh":               func(g *G, in []*V) *V { return g.Tanh(in[0]) },
	"sigmoid":            func(g *G, in []*V) *V { return g.Sigmoid(in[0]) },
	"leaky_relu":         func(g *G, in []*V) *V { return g.LeakyReLU(in[0], 0.1) },
	"gelu":               func(g *G, in []*V) *V { return g.GELU(in[0]) },
	"softmax/last":       func(g *G, in []*V) *V { return g.Softmax(in[0], -1) },
	"softmax/middle":     func(g *G, in []*V) *V { return g.Softmax(in[0], 1) },
	"log_softmax/last":   func(g *G, in []*V) *V { return g.LogSoftmax(in[0], -1) },
	"log_softmax/0":      func(g *G, in []*V) *V { return g.LogSoftmax(in[0], 0) },
	"sum_axis/1 keepdim": func(g *G, in []*V) *V { return g.SumAxis(in[0], 1, true) },
	"mean_axis/-1":       func(g *G, in []*V) *V { return g.MeanAxis(in[0], -1, false) },
	"max_axis/1":         func(g *G, in []*V) *V { return g.MaxAxis(in[0], 1, false) },
	"sum":                func(g *G, in []*V) *V { return g.Sum(in[0]) },
	"mean":               func(g *G, in []*V) *V { return g.Mean(in[0]) },
	"reshape":            func(g *G, in []*V) *V { return g.Reshape(in[0], 4, -1) },
	"flatten/1":          func(g *G, in []*V) *V { return g.Flatten(in[0], 1) },
	"mse":                func(g *G, in []*V) *V { return g.MSE(in[0], in[1]) },
	"nll":                func(g *G, in []*V) *V { return g.NLL(in[0], []int{1, 0, 4, 1}) },
	"cross_entropy":      func(g *G, in []*V) *V { return g.CrossEntropy(in[0], []int{1, 0, 4, 1}) },
	"bce_with_logits":    func(g *G, in []*V) *V { return g.BCEWithLogits(in[0], in[1]) },
}

type goldenTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

type goldenCase struct {
	Name    string         `json:"name"`
	Inputs  []goldenTensor `json:"inputs"`
	Weights []float64      `json:"weights"`
	Output  goldenTensor   `json:"output"`
	Grads   [][]float64    `json:"grads"`
}

// TestOpsMatchPyTorch compares forward values and the gradients of
// Σ r ⊙ f(inputs) with PyTorch's, in float64, including PyTorch's choices
// at kinks (abs and relu at 0, leaky_relu at 0, pow(x, 0) at 0) and at
// saturating inputs (sigmoid at ±800, BCE at ±40).
func TestOpsMatchPyTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/ops_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct{ Cases []goldenCase }
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range golden.Cases {
		t.Run(c.Name, func(t *testing.T) {
			f, ok := goldenOps[c.Name]
			if !ok {
				t.Fatalf("no descent op for golden case %q", c.Name)
			}
			seen[c.Name] = true
			in := make([]*V, len(c.Inputs))
			for i, x := range c.Inputs {
				in[i] = autograd.NewParam(tensor.FromSlice(x.Data, x.Shape...), "")
			}
			g := autograd.New[float64]()
			out := f(g, in)
			if !tensor.EqualShapes(out.Shape(), c.Output.Shape) {
				t.Fatalf("output shape %v, PyTorch %v", out.Shape(), c.Output.Shape)
			}
			compareTorch(t, "output", out.Value.Data(), c.Output.Data)
			r := autograd.NewConstant(tensor.FromSlice(c.Weights, c.Output.Shape...))
			g.Backward(g.Sum(g.Mul(out, r)))
			for i, want := range c.Grads {
				compareTorch(t, "grad", in[i].Grad.Data(), want)
			}
		})
	}
	for name := range goldenOps {
		if !seen[name] {
			t.Errorf("op %q has no golden case", name)
		}
	}
}

// compareTorch allows a few ulps of difference: PyTorch and package math need
// not round transcendental functions identically.
func compareTorch(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, PyTorch %d", what, len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(got[i] - want[i]); !(d <= 1e-13*max(1, math.Abs(want[i]))) {
			t.Errorf("%s[%d] = %v, PyTorch %v", what, i, got[i], want[i])
		}
	}
}
