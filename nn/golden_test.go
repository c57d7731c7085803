package nn_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// The golden values come from PyTorch: testdata/make_golden.py wrote
// testdata/golden.json. Everything is float64, so agreement is to rounding.
const goldenTol = 1e-10

type goldenTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (gt goldenTensor) tensor() *tensor.Tensor[float64] {
	return tensor.FromSlice(append([]float64(nil), gt.Data...), gt.Shape...)
}

type goldenFile struct {
	Layers []struct {
		Name     string                  `json:"name"`
		Layer    string                  `json:"layer"`
		Args     map[string]float64      `json:"args"`
		X        goldenTensor            `json:"x"`
		Params   map[string]goldenTensor `json:"params"`
		Upstream goldenTensor            `json:"upstream"`
		Y        goldenTensor            `json:"y"`
		Grads    map[string]goldenTensor `json:"grads"`
	} `json:"layers"`
	Losses []struct {
		Name   string          `json:"name"`
		Loss   string          `json:"loss"`
		X      goldenTensor    `json:"x"`
		Target json.RawMessage `json:"target"` // class indices or a tensor
		Value  float64         `json:"value"`
		Grad   goldenTensor    `json:"grad"`
	} `json:"losses"`
	MLPs []struct {
		Name       string                  `json:"name"`
		Activation string                  `json:"activation"`
		In         int                     `json:"in"`
		Hidden     []int                   `json:"hidden"`
		Classes    int                     `json:"classes"`
		X          goldenTensor            `json:"x"`
		Targets    []int                   `json:"targets"`
		Params     map[string]goldenTensor `json:"params"`
		Loss       float64                 `json:"loss"`
		Grads      map[string]goldenTensor `json:"grads"`
	} `json:"mlps"`
	Init []struct {
		In, Out      int
		Bound        float64
		Weight, Bias goldenStats
	} `json:"init"`
}

type goldenStats struct {
	N                   int
	Min, Max, Mean, Std float64
}

func loadGolden(t *testing.T) *goldenFile {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var gf goldenFile
	if err := json.Unmarshal(b, &gf); err != nil {
		t.Fatalf("testdata/golden.json: %v", err)
	}
	return &gf
}

// closeTo fails the test unless got has want's shape and values.
func closeTo(t *testing.T, what string, got *tensor.Tensor[float64], want goldenTensor) {
	t.Helper()
	if !tensor.EqualShapes(got.Shape(), want.Shape) {
		t.Fatalf("%s: shape %v, want %v", what, got.Shape(), want.Shape)
	}
	for i, w := range want.Data {
		if d := math.Abs(got.Data()[i] - w); !(d <= goldenTol*math.Max(1, math.Abs(w))) {
			t.Fatalf("%s[%d] = %.17g, PyTorch %.17g (diff %.3g)", what, i, got.Data()[i], w, d)
		}
	}
}

// goldenLayer builds the layer a golden case names. Parameters come from
// the file afterwards, through LoadStateDict.
func goldenLayer(t *testing.T, kind string, args map[string]float64) nn.Module[float64] {
	t.Helper()
	switch kind {
	case "Linear":
		l, err := nn.NewLinear[float64](tensor.NewRand(1), int(args["in"]), int(args["out"]), nn.LinearOptions{NoBias: args["no_bias"] == 1})
		if err != nil {
			t.Fatal(err)
		}
		return l
	case "ReLU":
		return nn.ReLU[float64]{}
	case "LeakyReLU":
		return nn.LeakyReLU[float64]{Slope: args["slope"]}
	case "Tanh":
		return nn.Tanh[float64]{}
	case "Sigmoid":
		return nn.Sigmoid[float64]{}
	case "GELU":
		return nn.GELU[float64]{}
	case "Softmax":
		return nn.Softmax[float64]{Axis: int(args["axis"])}
	case "LogSoftmax":
		return nn.LogSoftmax[float64]{Axis: int(args["axis"])}
	case "Flatten":
		return nn.Flatten[float64]{}
	case "Dropout":
		d, err := nn.NewDropout[float64](args["p"], tensor.NewRand(1))
		if err != nil {
			t.Fatal(err)
		}
		d.SetTraining(args["eval"] != 1)
		return d
	}
	t.Fatalf("golden file names unknown layer %q", kind)
	return nil
}

// stateDict turns the golden parameters into a state dict.
func stateDict(params map[string]goldenTensor) []nn.NamedTensor[float64] {
	var sd []nn.NamedTensor[float64]
	for name, p := range params {
		sd = append(sd, nn.NamedTensor[float64]{Name: name, Tensor: p.tensor()})
	}
	return sd
}

// TestLayersMatchPyTorch runs every layer case: forward, then backward from
// L = Σ upstream ⊙ y, and compares y and the gradients of x and every
// parameter with PyTorch's.
func TestLayersMatchPyTorch(t *testing.T) {
	gf := loadGolden(t)
	if len(gf.Layers) == 0 {
		t.Fatal("no layer cases in the golden file")
	}
	for _, c := range gf.Layers {
		t.Run(c.Name, func(t *testing.T) {
			m := goldenLayer(t, c.Layer, c.Args)
			if err := nn.LoadStateDict(m, stateDict(c.Params), true); err != nil {
				t.Fatal(err)
			}
			nn.ZeroGrad(m)
			g := autograd.New[float64]()
			x := autograd.NewParam(c.X.tensor(), "x")
			y := m.Forward(g, x)
			closeTo(t, "y", y.Value, c.Y)
			g.Backward(g.Sum(g.Mul(y, autograd.NewConstant(c.Upstream.tensor()))))
			closeTo(t, "dL/dx", x.Grad, c.Grads["x"])
			for _, p := range m.Parameters() {
				closeTo(t, "dL/d"+p.Name, p.Grad, c.Grads[p.Name])
			}
			if len(c.Grads) != len(m.Parameters())+1 {
				t.Fatalf("PyTorch has %d gradients, the layer %d parameters", len(c.Grads)-1, len(m.Parameters()))
			}
		})
	}
}

// TestMLPMatchesPyTorch builds Linear-act-Linear-act-Linear as a Sequential,
// loads PyTorch's weights by their state-dict names and compares the
// cross-entropy loss and every parameter's gradient.
func TestMLPMatchesPyTorch(t *testing.T) {
	gf := loadGolden(t)
	for _, c := range gf.MLPs {
		t.Run(c.Name, func(t *testing.T) {
			rng := tensor.NewRand(1)
			sizes := append(append([]int{c.In}, c.Hidden...), c.Classes)
			var layers []nn.Module[float64]
			for i := range len(sizes) - 1 {
				l, err := nn.NewLinear[float64](rng, sizes[i], sizes[i+1], nn.LinearOptions{})
				if err != nil {
					t.Fatal(err)
				}
				layers = append(layers, l)
				if i < len(sizes)-2 {
					act, err := nn.NewActivation[float64](c.Activation)
					if err != nil {
						t.Fatal(err)
					}
					layers = append(layers, act)
				}
			}
			m := nn.NewSequential(layers...)
			if err := nn.LoadStateDict[float64](m, stateDict(c.Params), true); err != nil {
				t.Fatal(err)
			}
			g := autograd.New[float64]()
			loss := nn.CrossEntropyLoss(g, m.Forward(g, autograd.NewConstant(c.X.tensor())), c.Targets)
			closeTo(t, "loss", loss.Value, goldenTensor{Shape: []int{}, Data: []float64{c.Loss}})
			g.Backward(loss)
			for _, p := range m.Parameters() {
				closeTo(t, "dL/d"+p.Name, p.Grad, c.Grads[p.Name])
			}
		})
	}
}

// TestDefaultInitMatchesPyTorch draws Linear layers of the sizes PyTorch
// drew and checks that both are U(±1/sqrt(fan_in)): every value inside the
// bound, the extremes close to it, and the spread of both samples equal to
// bound/√3 (a uniform's standard deviation) within sampling error.
func TestDefaultInitMatchesPyTorch(t *testing.T) {
	gf := loadGolden(t)
	rng := tensor.NewRand(5)
	for _, c := range gf.Init {
		l, err := nn.NewLinear[float64](rng, c.In, c.Out, nn.LinearOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			ours  goldenStats
			torch goldenStats
		}{{"weight", stats(l.Weight.Value.Data()), c.Weight}, {"bias", stats(l.Bias.Value.Data()), c.Bias}} {
			for _, s := range []goldenStats{tc.ours, tc.torch} {
				n := float64(s.N)
				std := c.Bound / math.Sqrt(3)
				// The extremes of n uniform draws miss the bound by about
				// 2·bound/n; allow ten times that.
				slack := 20 * c.Bound / n
				if s.Min < -c.Bound || s.Max > c.Bound || s.Min > -c.Bound+slack || s.Max < c.Bound-slack {
					t.Errorf("Linear(%d, %d) %s: range [%g, %g], want inside and near ±%g", c.In, c.Out, tc.name, s.Min, s.Max, c.Bound)
				}
				// Five standard errors: the mean's is std/√n, the sample
				// std's about 0.45·std/√n for a uniform.
				if math.Abs(s.Mean) > 5*std/math.Sqrt(n) || math.Abs(s.Std-std) > 5*0.45*std/math.Sqrt(n) {
					t.Errorf("Linear(%d, %d) %s: mean %g std %g, want 0 and %g", c.In, c.Out, tc.name, s.Mean, s.Std, std)
				}
			}
		}
	}
}

func stats(x []float64) goldenStats {
	s := goldenStats{N: len(x), Min: math.Inf(1), Max: math.Inf(-1)}
	for _, v := range x {
		s.Min, s.Max = math.Min(s.Min, v), math.Max(s.Max, v)
		s.Mean += v
	}
	s.Mean /= float64(len(x))
	for _, v := range x {
		s.Std += (v - s.Mean) * (v - s.Mean)
	}
	s.Std = math.Sqrt(s.Std / float64(len(x)-1))
	return s
}

// TestLossesMatchPyTorch compares every loss's value and its gradient with
// respect to its input with PyTorch's.
func TestLossesMatchPyTorch(t *testing.T) {
	gf := loadGolden(t)
	if len(gf.Losses) == 0 {
		t.Fatal("no loss cases in the golden file")
	}
	for _, c := range gf.Losses {
		t.Run(c.Name, func(t *testing.T) {
			g := autograd.New[float64]()
			x := autograd.NewParam(c.X.tensor(), "x")
			var classes []int
			var target goldenTensor
			if err := json.Unmarshal(c.Target, &classes); err != nil {
				if err := json.Unmarshal(c.Target, &target); err != nil {
					t.Fatalf("target is neither class indices nor a tensor: %s", c.Target)
				}
			}
			var loss *autograd.Var[float64]
			switch c.Loss {
			case "CrossEntropy":
				loss = nn.CrossEntropyLoss(g, x, classes)
			case "NLL":
				loss = nn.NLLLoss(g, x, classes)
			case "MSE":
				loss = nn.MSELoss(g, x, autograd.NewConstant(target.tensor()))
			case "BCEWithLogits":
				loss = nn.BCEWithLogitsLoss(g, x, autograd.NewConstant(target.tensor()))
			default:
				t.Fatalf("golden file names unknown loss %q", c.Loss)
			}
			closeTo(t, "loss", loss.Value, goldenTensor{Shape: []int{}, Data: []float64{c.Value}})
			g.Backward(loss)
			closeTo(t, "dL/dx", x.Grad, c.Grad)
		})
	}
}
