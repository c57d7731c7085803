package nn_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// convGolden is testdata/conv_golden.json, written by
// testdata/make_conv_golden.py with PyTorch in float64.
type convGolden struct {
	Conv2d    []convGoldenCase `json:"conv2d"`
	MaxPool2d []convGoldenCase `json:"max_pool2d"`
	AvgPool2d []convGoldenCase `json:"avg_pool2d"`
}

type convGoldenCase struct {
	Name string `json:"name"`
	Args struct {
		In, Out, Kernel, Stride, Padding int
		Bias                             bool
	} `json:"args"`
	X        convGoldenTensor            `json:"x"`
	Params   map[string]convGoldenTensor `json:"params"`
	Upstream convGoldenTensor            `json:"upstream"`
	Y        convGoldenTensor            `json:"y"`
	Grads    map[string]convGoldenTensor `json:"grads"`
}

type convGoldenTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (gt convGoldenTensor) tensor() *tensor.Tensor[float64] {
	return tensor.FromSlice(append([]float64(nil), gt.Data...), gt.Shape...)
}

func loadConvGolden(t *testing.T) *convGolden {
	t.Helper()
	b, err := os.ReadFile("testdata/conv_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cg convGolden
	if err := json.Unmarshal(b, &cg); err != nil {
		t.Fatalf("testdata/conv_golden.json: %v", err)
	}
	return &cg
}

// checkConvGolden runs layer on the case's input, backpropagates
// L = Σ upstream ⊙ y, and compares y and the gradients of x and of the
// named parameters with PyTorch's.
func checkConvGolden(t *testing.T, c convGoldenCase, layer nn.Module[float64], params map[string]*autograd.Var[float64]) {
	t.Helper()
	const tol = 1e-10
	g := autograd.New[float64]()
	x := autograd.NewParam(c.X.tensor(), "x")
	y := layer.Forward(g, x)
	compare := func(what string, got *tensor.Tensor[float64], want convGoldenTensor) {
		if !tensor.EqualShapes(got.Shape(), want.Shape) {
			t.Errorf("%s: shape %v, PyTorch %v", what, got.Shape(), want.Shape)
			return
		}
		for i, v := range got.Data() {
			if d := math.Abs(v - want.Data[i]); d > tol {
				t.Errorf("%s[%d] = %v, PyTorch %v (diff %g)", what, i, v, want.Data[i], d)
				return
			}
		}
	}
	compare("y", y.Value, c.Y)
	g.Backward(g.Sum(g.Mul(y, autograd.NewConstant(c.Upstream.tensor()))))
	compare("dL/dx", x.Grad, c.Grads["x"])
	if len(params) != len(c.Grads)-1 {
		t.Errorf("layer has %d parameters, PyTorch %d", len(params), len(c.Grads)-1)
	}
	for name, p := range params {
		compare("dL/d"+name, p.Grad, c.Grads[name])
	}
}

func TestConv2dMatchesPyTorch(t *testing.T) {
	for _, c := range loadConvGolden(t).Conv2d {
		t.Run(c.Name, func(t *testing.T) {
			a := c.Args
			conv, err := nn.NewConv2d[float64](tensor.NewRand(1), a.In, a.Out, a.Kernel,
				nn.Conv2dOptions{Stride: a.Stride, Padding: a.Padding, NoBias: !a.Bias})
			if err != nil {
				t.Fatal(err)
			}
			params := map[string]*autograd.Var[float64]{}
			for _, p := range conv.Parameters() {
				want, ok := c.Params[p.Name]
				if !ok {
					t.Fatalf("parameter %q unknown to PyTorch", p.Name)
				}
				if !tensor.EqualShapes(p.Shape(), want.Shape) {
					t.Fatalf("parameter %q has shape %v, PyTorch %v", p.Name, p.Shape(), want.Shape)
				}
				copy(p.Value.Data(), want.Data)
				params[p.Name] = p
			}
			checkConvGolden(t, c, conv, params)
		})
	}
}

// TestConv2dDefaultInit checks PyTorch's default initialization: weight and
// bias uniform on ±1/sqrt(in·k·k), so every value lies inside the bound, the
// extremes come close to it, and the mean is near 0.
func TestConv2dDefaultInit(t *testing.T) {
	for _, tc := range []struct{ in, out, k int }{{1, 32, 3}, {32, 64, 3}, {3, 8, 5}} {
		conv, err := nn.NewConv2d[float32](tensor.NewRand(7), tc.in, tc.out, tc.k, nn.Conv2dOptions{})
		if err != nil {
			t.Fatal(err)
		}
		bound := 1 / math.Sqrt(float64(tc.in*tc.k*tc.k))
		for _, p := range conv.Parameters() {
			var lo, hi, sum float64
			for _, v := range p.Value.Data() {
				lo, hi, sum = min(lo, float64(v)), max(hi, float64(v)), sum+float64(v)
			}
			n := float64(p.Value.Len())
			// For n uniform draws the extremes miss the bound by about
			// 2·bound/n, and the mean has standard deviation bound/sqrt(3n).
			slack := 2 * bound * 10 / n
			if lo < -bound || hi > bound || lo > -bound+slack || hi < bound-slack {
				t.Errorf("Conv2d(%d, %d, %d) %s spans [%v, %v], want about ±%v", tc.in, tc.out, tc.k, p.Name, lo, hi, bound)
			}
			if mean := sum / n; math.Abs(mean) > 5*bound/math.Sqrt(3*n) {
				t.Errorf("Conv2d(%d, %d, %d) %s has mean %v, want about 0", tc.in, tc.out, tc.k, p.Name, mean)
			}
		}
	}
}

func TestConv2dErrors(t *testing.T) {
	for _, tc := range []struct {
		in, out, k int
		opts       nn.Conv2dOptions
		want       string
	}{
		{0, 4, 3, nn.Conv2dOptions{}, "sizes must be positive"},
		{1, 4, 0, nn.Conv2dOptions{}, "sizes must be positive"},
		{1, 4, 3, nn.Conv2dOptions{Stride: -1}, "stride"},
		{1, 4, 3, nn.Conv2dOptions{Padding: -1}, "padding"},
	} {
		_, err := nn.NewConv2d[float32](tensor.NewRand(1), tc.in, tc.out, tc.k, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewConv2d(%d, %d, %d, %+v) error = %v, want one mentioning %q", tc.in, tc.out, tc.k, tc.opts, err, tc.want)
		}
	}
}

// ExampleConv2d runs the first two layers of the training issue's CNN on a
// batch of two 28×28 images and names the parameters as PyTorch's
// state_dict does.
func ExampleConv2d() {
	rng := tensor.NewRand(1)
	conv, err := nn.NewConv2d[float32](rng, 1, 32, 3, nn.Conv2dOptions{})
	if err != nil {
		panic(err)
	}
	pool, err := nn.NewMaxPool2d[float32](2, 0, 0)
	if err != nil {
		panic(err)
	}
	model := nn.NewSequential[float32](conv, nn.ReLU[float32]{}, pool)
	for _, p := range model.Parameters() {
		fmt.Println(p.Name, p.Shape())
	}
	g := autograd.New[float32]()
	x := autograd.NewConstant(tensor.New[float32](2, 1, 28, 28))
	fmt.Println(model.Forward(g, x).Shape())
	// Output:
	// 0.weight [32 1 3 3]
	// 0.bias [32]
	// [2 32 13 13]
}
