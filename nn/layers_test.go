package nn_test

import (
	"math"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

func TestDropout(t *testing.T) {
	const p, n = 0.3, 20000
	xs := tensor.New[float64](n)
	xs.RandU(tensor.NewRand(1), 1, 2) // no zeros, so a zero output means dropped
	d, err := nn.NewDropout[float64](p, tensor.NewRand(9))
	if err != nil {
		t.Fatal(err)
	}
	g := autograd.New[float64]()
	x := autograd.NewParam(xs, "x")
	y := d.Forward(g, x)
	dropped := 0
	for i, v := range y.Value.Data() {
		switch {
		case v == 0:
			dropped++
		case math.Abs(v-xs.Data()[i]/(1-p)) > 1e-12:
			t.Fatalf("kept element %d = %g, want x/(1-p) = %g", i, v, xs.Data()[i]/(1-p))
		}
	}
	// The dropped count is Binomial(n, p): allow five standard deviations.
	if sd := math.Sqrt(n * p * (1 - p)); math.Abs(float64(dropped)-n*p) > 5*sd {
		t.Fatalf("dropped %d of %d, want about %g", dropped, n, n*p)
	}
	mask := make([]float64, n)
	for i, v := range y.Value.Data() {
		mask[i] = v / xs.Data()[i]
	}
	g.Backward(g.Sum(y))
	for i, gv := range x.Grad.Data() {
		if math.Abs(gv-mask[i]) > 1e-12 {
			t.Fatalf("dx[%d] = %g, want the mask %g", i, gv, mask[i])
		}
	}

	// Same seed, same mask.
	d2, _ := nn.NewDropout[float64](p, tensor.NewRand(9))
	y2 := d2.Forward(autograd.New[float64](), autograd.NewConstant(xs))
	for i, v := range y2.Value.Data() {
		if (v == 0) != (mask[i] == 0) {
			t.Fatalf("element %d: the same seed gave a different mask", i)
		}
	}

	// Evaluation mode, set through a container, is the identity.
	m := nn.NewSequential[float64](d)
	nn.SetTraining[float64](m, false)
	if d.Training() || m.Forward(g, x) != x {
		t.Fatal("Dropout in evaluation mode is not the identity")
	}
	for _, bad := range []float64{-0.1, 1.5, math.NaN()} {
		if _, err := nn.NewDropout[float64](bad, tensor.NewRand(1)); err == nil {
			t.Errorf("NewDropout(%v) accepted", bad)
		}
	}
}

func TestNewActivation(t *testing.T) {
	for _, name := range nn.ActivationNames {
		a, err := nn.NewActivation[float32](name)
		if err != nil || a == nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	_, err := nn.NewActivation[float32]("swish")
	if err == nil || !strings.Contains(err.Error(), `"swish"`) || !strings.Contains(err.Error(), "leaky_relu") {
		t.Fatalf("error %v, want one naming the bad name and the valid ones", err)
	}
}

// TestLayersAllocateNothingWarm runs each layer's forward and backward
// twice as warm-up, then checks a step touches no heap.
func TestLayersAllocateNothingWarm(t *testing.T) {
	rng := tensor.NewRand(3)
	lin, _ := nn.NewLinear[float32](rng, 12, 4, nn.LinearOptions{})
	drop, _ := nn.NewDropout[float32](0.5, rng)
	layers := []struct {
		name string
		m    nn.Module[float32]
	}{
		{"Linear", nn.NewSequential[float32](nn.Flatten[float32]{}, lin)},
		{"ReLU", nn.ReLU[float32]{}}, {"LeakyReLU", nn.LeakyReLU[float32]{Slope: 0.1}},
		{"Tanh", nn.Tanh[float32]{}}, {"Sigmoid", nn.Sigmoid[float32]{}}, {"GELU", nn.GELU[float32]{}},
		{"Softmax", nn.Softmax[float32]{Axis: 1}}, {"LogSoftmax", nn.LogSoftmax[float32]{Axis: -1}},
		{"Flatten", nn.Flatten[float32]{}}, {"Dropout", drop}, {"Identity", nn.Identity[float32]{}},
	}
	xs := tensor.New[float32](2, 3, 4)
	xs.RandN(rng, 0, 1)
	for _, l := range layers {
		t.Run(l.name, func(t *testing.T) {
			g := autograd.New[float32]()
			x := autograd.NewParam(xs, "x")
			step := func() { g.Backward(g.Sum(l.m.Forward(g, x))) }
			step()
			step()
			if n := testing.AllocsPerRun(10, step); n != 0 {
				t.Fatalf("a warm step allocated %v times", n)
			}
		})
	}
}
