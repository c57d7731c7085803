package models_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// normGolden is testdata/norm_golden.json, written by
// testdata/make_norm_golden.py with PyTorch.
type normGolden struct {
	Layouts map[string][][]any `json:"layouts"`
	Steps   []struct {
		Name    string                     `json:"name"`
		Norm    string                     `json:"norm"`
		Optim   string                     `json:"optim"`
		Before  map[string]json.RawMessage `json:"before"`
		X       goldenT                    `json:"x"`
		Targets []int                      `json:"targets"`
		Loss    float64                    `json:"loss"`
		After   map[string]json.RawMessage `json:"after"`
	} `json:"steps"`
}

type goldenT struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func loadNormGolden(t *testing.T) *normGolden {
	t.Helper()
	b, err := os.ReadFile("testdata/norm_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var gf normGolden
	if err := json.Unmarshal(b, &gf); err != nil {
		t.Fatal(err)
	}
	return &gf
}

// TestNormLayouts: with Norm the state dict has PyTorch's names, dtypes
// and shapes in PyTorch's order, so the weights load with strict names.
func TestNormLayouts(t *testing.T) {
	gf := loadNormGolden(t)
	for key, want := range gf.Layouts {
		t.Run(key, func(t *testing.T) {
			name, norm, _ := strings.Cut(key, "/")
			m, err := models.New[float32](name, tensor.NewRand(1), models.Options{Norm: norm})
			if err != nil {
				t.Fatal(err)
			}
			var got, exp []string
			for _, e := range nn.StateDict(m) {
				dtype := "float32"
				if e.Int64 != nil {
					dtype = "int64"
				}
				got = append(got, fmt.Sprintf("%s %s %v", e.Name, dtype, e.Shape()))
			}
			for _, w := range want {
				exp = append(exp, fmt.Sprintf("%s %s %v", w[0], w[1], w[2]))
			}
			if strings.Join(got, "\n") != strings.Join(exp, "\n") {
				t.Fatalf("state dict\n%s\nPyTorch\n%s", strings.Join(got, "\n"), strings.Join(exp, "\n"))
			}
			shape, _ := models.InputShape(name)
			x := tensor.New[float32](append([]int{2}, shape...)...)
			x.RandN(tensor.NewRand(2), 0, 1)
			if y := m.Forward(autograd.New[float32](), autograd.NewConstant(x)); !tensor.EqualShapes(y.Shape(), []int{2, 10}) {
				t.Fatalf("output shape %v", y.Shape())
			}
		})
	}
	if _, err := models.New[float32]("mlp", tensor.NewRand(1), models.Options{Norm: "group"}); err == nil ||
		!strings.Contains(err.Error(), `unknown norm "group"; valid: none, batch, layer`) {
		t.Errorf("unknown norm: error %v", err)
	}
}

// TestNormStepGolden: one SGD (momentum 0.9) or Adam step of a small MLP
// with each norm, from PyTorch's initial state and batch, gives PyTorch's
// weights and running statistics to float32 rounding.
func TestNormStepGolden(t *testing.T) {
	gf := loadNormGolden(t)
	for _, c := range gf.Steps {
		t.Run(c.Name, func(t *testing.T) {
			m, err := models.MLP[float32](tensor.NewRand(1), 6, []int{5, 4}, 3, models.Options{Norm: c.Norm})
			if err != nil {
				t.Fatal(err)
			}
			if err := nn.LoadStateDict(m, goldenState(t, c.Before), true); err != nil {
				t.Fatal(err)
			}
			var opt optim.Optimizer[float32]
			if c.Optim == "sgd" {
				opt, err = optim.NewSGD(m.Parameters(), optim.SGDConfig{LR: 0.1, Momentum: 0.9})
			} else {
				cfg := optim.AdamDefaults()
				cfg.LR = 0.01
				opt, err = optim.NewAdam(m.Parameters(), cfg)
			}
			if err != nil {
				t.Fatal(err)
			}
			x := tensor.New[float32](c.X.Shape...)
			for i, v := range c.X.Data {
				x.Data()[i] = float32(v)
			}
			g := autograd.New[float32]()
			loss := g.CrossEntropy(m.Forward(g, autograd.NewConstant(x)), c.Targets)
			if l := float64(loss.Value.Item()); math.Abs(l-c.Loss) > 1e-5*math.Max(1, math.Abs(c.Loss)) {
				t.Errorf("loss %v, PyTorch %v", l, c.Loss)
			}
			g.Backward(loss)
			opt.Step()
			want := goldenState(t, c.After)
			for _, e := range nn.StateDict(m) {
				var w nn.NamedTensor[float32]
				for _, x := range want {
					if x.Name == e.Name {
						w = x
					}
				}
				if e.Int64 != nil {
					if e.Int64[0] != w.Int64[0] {
						t.Errorf("%s = %d, PyTorch %d", e.Name, e.Int64[0], w.Int64[0])
					}
					continue
				}
				if c.Norm == "batch" && c.Optim == "adam" && (e.Name == "0.bias" || e.Name == "3.bias") {
					// A bias right before a BatchNorm is subtracted out again
					// with the batch mean: its gradient is 0 up to rounding, and
					// Adam's first step moves each element by about ±lr in the
					// direction of that rounding noise, in PyTorch and here
					// alike. Check the gradient is noise and the step bounded.
					b := goldenState(t, map[string]json.RawMessage{e.Name: c.Before[e.Name]})[0].Tensor.Data()
					for i, v := range e.Tensor.Data() {
						if gr := m.Parameters()[biasIndex(e.Name)].Grad.Data()[i]; math.Abs(float64(gr)) > 1e-6 ||
							math.Abs(float64(v-b[i])) > 0.01*1.001 || math.Abs(float64(w.Tensor.Data()[i]-b[i])) > 0.01*1.001 {
							t.Errorf("%s[%d]: gradient %g, step %g, PyTorch's step %g", e.Name, i, gr, v-b[i], w.Tensor.Data()[i]-b[i])
						}
					}
					continue
				}
				for i, v := range e.Tensor.Data() {
					if d := math.Abs(float64(v - w.Tensor.Data()[i])); d > 2e-6*math.Max(1, math.Abs(float64(v))) {
						t.Errorf("%s[%d] = %.9g, PyTorch %.9g", e.Name, i, v, w.Tensor.Data()[i])
						break
					}
				}
			}
		})
	}
}

// biasIndex is the position among the small MLP's parameters
// (0.weight 0.bias 1.weight 1.bias 3.weight 3.bias ...) of "0.bias" or
// "3.bias".
func biasIndex(name string) int {
	if name == "0.bias" {
		return 1
	}
	return 5
}

// goldenState decodes a PyTorch state dict: tensors, and integers for
// int64 scalars.
func goldenState(t *testing.T, raw map[string]json.RawMessage) []nn.NamedTensor[float32] {
	t.Helper()
	var sd []nn.NamedTensor[float32]
	for name, r := range raw {
		var n int64
		if json.Unmarshal(r, &n) == nil {
			sd = append(sd, nn.NamedTensor[float32]{Name: name, Int64: []int64{n}})
			continue
		}
		var gt goldenT
		if err := json.Unmarshal(r, &gt); err != nil {
			t.Fatal(err)
		}
		x := tensor.New[float32](gt.Shape...)
		for i, v := range gt.Data {
			x.Data()[i] = float32(v)
		}
		sd = append(sd, nn.NamedTensor[float32]{Name: name, Tensor: x})
	}
	return sd
}

// TestNormStepAllocatesNothing: a warm training step (forward, backward,
// Adam) of the MLP and the CNN with each norm allocates nothing.
func TestNormStepAllocatesNothing(t *testing.T) {
	for _, c := range []struct{ model, norm string }{{"mlp", "batch"}, {"mlp", "layer"}, {"cnn", "batch"}, {"cnn", "layer"}} {
		m, err := models.New[float32](c.model, tensor.NewRand(1), models.Options{Norm: c.norm})
		if err != nil {
			t.Fatal(err)
		}
		opt, err := optim.NewAdam(m.Parameters(), optim.AdamDefaults())
		if err != nil {
			t.Fatal(err)
		}
		shape, _ := models.InputShape(c.model)
		xs := tensor.New[float32](append([]int{4}, shape...)...)
		xs.RandN(tensor.NewRand(2), 0, 1)
		x, targets := autograd.NewConstant(xs), []int{1, 2, 3, 4}
		g := autograd.New[float32]()
		step := func() {
			opt.ZeroGrad()
			g.Backward(g.CrossEntropy(m.Forward(g, x), targets))
			opt.Step()
		}
		step()
		if n := testing.AllocsPerRun(3, step); n != 0 {
			t.Errorf("%s with %s norm: a warm step allocated %v times", c.model, c.norm, n)
		}
	}
}
