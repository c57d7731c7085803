package nn

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/tensor"
)

// layerOutputVars runs batch through s and returns the output variance of
// every Linear and Conv2d layer, in order, recomputed independently of LSUV.
func layerOutputVars(s *Sequential[float64], batch *tensor.Tensor[float64]) []float64 {
	g := autograd.New[float64]()
	var vars []float64
	x := autograd.NewConstant(batch)
	var walk func(s *Sequential[float64])
	walk = func(s *Sequential[float64]) {
		for _, m := range s.Layers {
			if inner, ok := m.(*Sequential[float64]); ok {
				walk(inner)
				continue
			}
			x = m.Forward(g, x)
			if lsuvWeight(m) != nil {
				vars = append(vars, tensorVariance(x.Value))
			}
		}
	}
	walk(s)
	return vars
}

func mlp(t *testing.T, widths []int, act Module[float64], bias bool) *Sequential[float64] {
	rng := tensor.NewRand(1)
	var layers []Module[float64]
	for i := 1; i < len(widths); i++ {
		l, err := NewLinear[float64](rng, widths[i-1], widths[i], LinearOptions{NoBias: !bias})
		if err != nil {
			t.Fatal(err)
		}
		layers = append(layers, l, act)
	}
	return NewSequential(layers...)
}

func TestLSUV(t *testing.T) {
	conv1, _ := NewConv2d[float64](tensor.NewRand(2), 3, 8, 3, Conv2dOptions{Padding: 1})
	conv2, _ := NewConv2d[float64](tensor.NewRand(3), 8, 4, 3, Conv2dOptions{NoBias: true})
	fc, _ := NewLinear[float64](tensor.NewRand(4), 4*6*6, 10, LinearOptions{})
	cnn := NewSequential[float64](conv1, ReLU[float64]{}, NewSequential[float64](conv2, Tanh[float64]{}), Flatten[float64]{}, fc)
	cases := []struct {
		name  string
		s     *Sequential[float64]
		batch []int
		tol   float64
		exact bool // bias-free and linear before each layer: one step, variance 1 to rounding
	}{
		{"linear no bias", mlp(t, []int{32, 64, 64, 64, 10}, Identity[float64]{}, false), []int{128, 32}, 1e-9, true},
		{"relu with bias", mlp(t, []int{32, 64, 64, 64, 64, 64, 10}, ReLU[float64]{}, true), []int{128, 32}, 0.1, false},
		{"tanh tight", mlp(t, []int{16, 32, 32, 32, 4}, Tanh[float64]{}, true), []int{64, 16}, 0.01, false},
		{"cnn", cnn, []int{16, 3, 8, 8}, 0.05, false},
	}
	for _, c := range cases {
		batch := tensor.New[float64](c.batch...)
		batch.RandN(tensor.NewRand(9), 0, 3)
		report, err := LSUV(tensor.NewRand(5), c.s, batch, LSUVOptions{Tol: c.tol})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		vars := layerOutputVars(c.s, batch)
		if len(vars) != len(report) {
			t.Fatalf("%s: %d layers reported, %d weighted layers", c.name, len(report), len(vars))
		}
		for i, v := range vars {
			r := report[i]
			if !r.Converged || math.Abs(v-1) >= c.tol || math.Abs(v-r.Var) > 1e-12 {
				t.Errorf("%s: %s: output variance %v (reported %v, converged %v, %d iters); want |v-1| < %g", c.name, r.Name, v, r.Var, r.Converged, r.Iters, c.tol)
			}
			if c.exact && (r.Iters != 1 || math.Abs(v-1) > 1e-12) {
				t.Errorf("%s: %s: %d iterations to variance %v; a bias-free linear stack needs exactly 1", c.name, r.Name, r.Iters, v)
			}
		}
	}
}

// TestLSUVRescalesOrthogonal: after LSUV a bias-free linear stack holds
// orthogonal matrices times a scale, so Wᵀ·W (or W·Wᵀ) is a multiple of I.
func TestLSUVRescalesOrthogonal(t *testing.T) {
	s := mlp(t, []int{16, 16, 16}, Identity[float64]{}, false)
	batch := tensor.New[float64](64, 16)
	batch.RandN(tensor.NewRand(1), 0, 1)
	if _, err := LSUV(tensor.NewRand(2), s, batch, LSUVOptions{}); err != nil {
		t.Fatal(err)
	}
	w := s.Layers[2].(*Linear[float64]).Weight.Value
	gram := tensor.New[float64](16, 16)
	tensor.MatMul(gram, w, w, false, true, 1, 0)
	c := gram.At(0, 0)
	for i := range 16 {
		for j := range 16 {
			want := 0.0
			if i == j {
				want = c
			}
			if math.Abs(gram.At(i, j)-want) > 1e-9*c {
				t.Fatalf("W·Wᵀ[%d][%d] = %v, want %v", i, j, gram.At(i, j), want)
			}
		}
	}
}

func TestLSUVErrors(t *testing.T) {
	batch := tensor.New[float64](4, 3)
	if _, err := LSUV(tensor.NewRand(1), NewSequential[float64](ReLU[float64]{}), batch, LSUVOptions{}); err == nil || !strings.Contains(err.Error(), "no Linear or Conv2d") {
		t.Errorf("no weighted layer: %v", err)
	}
	s := mlp(t, []int{3, 2}, Identity[float64]{}, false)
	if _, err := LSUV(tensor.NewRand(1), s, batch, LSUVOptions{}); err == nil || !strings.Contains(err.Error(), "variance 0") {
		t.Errorf("all-zero batch: %v", err)
	}
	if _, err := LSUV(tensor.NewRand(1), s, batch, LSUVOptions{Tol: -1}); err == nil {
		t.Error("negative Tol accepted")
	}
}

// ExampleLSUV initializes a ReLU MLP so that every layer's output has unit
// variance on a batch, where PyTorch's default init would lose a factor 6
// per layer.
func ExampleLSUV() {
	rng := tensor.NewRand(1)
	var layers []Module[float64]
	for range 5 {
		l, _ := NewLinear[float64](rng, 64, 64, LinearOptions{BiasInit: initializer.Zeros{}})
		layers = append(layers, l, ReLU[float64]{})
	}
	model := NewSequential(layers...)
	batch := tensor.New[float64](256, 64)
	batch.RandN(rng, 0, 1)
	report, _ := LSUV(rng, model, batch, LSUVOptions{})
	for _, r := range report {
		fmt.Printf("%s converged %v, |var-1| < 0.1: %v\n", r.Name, r.Converged, math.Abs(r.Var-1) < 0.1)
	}
	// Output:
	// 0.weight converged true, |var-1| < 0.1: true
	// 2.weight converged true, |var-1| < 0.1: true
	// 4.weight converged true, |var-1| < 0.1: true
	// 6.weight converged true, |var-1| < 0.1: true
	// 8.weight converged true, |var-1| < 0.1: true
}
