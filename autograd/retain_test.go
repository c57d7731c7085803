package autograd_test

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// retainLosses maps the cases of testdata/retain_golden.json (written by
// testdata/make_retain_golden.py with PyTorch) to the same loss in descent;
// in[0:len(params)] are parameters, the rest constants.
var retainLosses = map[string]func(g *G, in []*V) *V{
	"square_of_product": func(g *G, in []*V) *V { p := g.Mul(in[0], in[1]); return g.Mul(p, p) },
	"pow_of_product":    func(g *G, in []*V) *V { return g.Pow(g.Mul(in[0], in[1]), 2) },
	"shared_intermediate": func(g *G, in []*V) *V {
		h := g.Tanh(g.Mul(in[0], in[1]))
		return g.Sum(g.Add(g.Mul(h, h), h))
	},
	"linear_chain": func(g *G, in []*V) *V {
		h := g.Tanh(g.Linear(in[3], in[0], in[1]))
		return g.Mean(g.Pow(g.Linear(h, in[2], nil), 2))
	},
	"reshape": func(g *G, in []*V) *V { return g.Sum(g.Mul(g.Reshape(g.Mul(in[0], in[0]), 4, -1), in[1])) },
}

// TestRetainedBackwardAccumulatesLikePyTorch backpropagates one retained
// graph several times: as with PyTorch's retain_graph=True, each pass adds
// the same gradient to the leaves (w=2, x=3, L=(w·x)² gives 36, 72, 108), so
// no intermediate may carry its gradient over from the pass before.
func TestRetainedBackwardAccumulatesLikePyTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/retain_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Cases []struct {
			Name   string
			Params []goldenTensor
			Consts []goldenTensor
			Loss   float64
			Grads  [][][]float64
		}
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range golden.Cases {
		t.Run(c.Name, func(t *testing.T) {
			f, ok := retainLosses[c.Name]
			if !ok {
				t.Fatalf("no descent loss for golden case %q", c.Name)
			}
			seen[c.Name] = true
			var in []*V
			for _, p := range c.Params {
				in = append(in, autograd.NewParam(tensor.FromSlice(p.Data, p.Shape...), ""))
			}
			for _, k := range c.Consts {
				in = append(in, autograd.NewConstant(tensor.FromSlice(k.Data, k.Shape...)))
			}
			g := autograd.New[float64]()
			g.Retain = true
			loss := f(g, in)
			compareTorch(t, "loss", loss.Value.Data(), []float64{c.Loss})
			for pass, want := range c.Grads {
				g.Backward(loss)
				for i, w := range want {
					compareTorch(t, fmt.Sprintf("grad after pass %d", pass+1), in[i].Grad.Data(), w)
				}
			}
			g.Reset()
		})
	}
	for name := range retainLosses {
		if !seen[name] {
			t.Errorf("loss %q has no golden case", name)
		}
	}
}
