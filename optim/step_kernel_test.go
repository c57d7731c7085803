package optim_test

import (
	"math"
	"slices"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/tensor"
)

// TestFloat32StepsUseKernels runs every optimizer in float32 beside the
// same optimizer in float64 (the kernels' Go specs, checked against PyTorch
// by the golden tests) and, for SGD and Adam, beside internal/kernel's
// fused steps called by hand. float32 must follow the float64 trajectory
// to float32 accuracy and, where a reference is given, match the kernel
// bit for bit: that is what proves the float32 step is the kernel's.
func TestFloat32StepsUseKernels(t *testing.T) {
	const n, steps = 1<<16 + 37, 8 // above the kernels' parallel threshold, not a whole number of vectors
	for _, c := range []struct {
		name     string
		settings map[string]string
		// ref applies the kernel step to (p, g, s1, s2) at step t (1-based),
		// or is nil where the generic loop must run.
		ref func(p, g, s1, s2 []float32, t int)
	}{
		{"sgd", map[string]string{"lr": "0.1"}, func(p, g, _, _ []float32, _ int) {
			kernel.SGDStep(p, g, nil, kernel.SGDParams{LR: 0.1}, false)
		}},
		{"sgd", map[string]string{"lr": "0.05", "momentum": "0.9", "nesterov": "true", "weight_decay": "0.01"}, func(p, g, b, _ []float32, t int) {
			kernel.SGDStep(p, g, b, kernel.SGDParams{LR: 0.05, Momentum: 0.9, Nesterov: true, WeightDecay: 0.01}, t == 1)
		}},
		{"sgd", map[string]string{"lr": "0.05", "momentum": "0.8", "dampening": "0.3"}, func(p, g, b, _ []float32, t int) {
			kernel.SGDStep(p, g, b, kernel.SGDParams{LR: 0.05, Momentum: 0.8, Dampening: 0.3}, t == 1)
		}},
		{"adam", map[string]string{"lr": "0.01"}, func(p, g, m, v []float32, t int) {
			kernel.AdamStep(p, g, m, v, nil, kernel.AdamParams{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, t)
		}},
		{"adam", map[string]string{"lr": "0.01", "weight_decay": "0.1"}, func(p, g, m, v []float32, t int) {
			kernel.AdamStep(p, g, m, v, nil, kernel.AdamParams{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1}, t)
		}},
		{"adamw", map[string]string{"lr": "0.01"}, func(p, g, m, v []float32, t int) {
			kernel.AdamStep(p, g, m, v, nil, kernel.AdamParams{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Decoupled: true}, t)
		}},
		{"adam", map[string]string{"lr": "0.01", "amsgrad": "true"}, nil},
		{"sgd", map[string]string{"lr": "0.1", "momentum": "0.9", "maximize": "true"}, nil},
		{"adagrad", map[string]string{"lr": "0.01", "lr_decay": "0.01", "weight_decay": "0.01"}, nil},
		{"rmsprop", map[string]string{"momentum": "0.9", "maximize": "true"}, nil},
		{"rmsprop", map[string]string{"centered": "true", "weight_decay": "0.01"}, nil},
		{"rmsprop", nil, func(p, g, sq, _ []float32, _ int) {
			kernel.RMSpropStep(p, g, sq, nil, nil, kernel.RMSpropParams{LR: 0.01, Alpha: 0.99, Eps: 1e-8})
		}},
		{"adadelta", nil, func(p, g, sq, acc []float32, _ int) {
			kernel.AdadeltaStep(p, g, sq, acc, kernel.AdadeltaParams{LR: 1, Rho: 0.9, Eps: 1e-6})
		}},
		{"adamax", map[string]string{"weight_decay": "0.01"}, nil},
		{"nadam", map[string]string{"momentum_decay": "0.01"}, nil},
		{"radam", map[string]string{"lr": "0.01", "maximize": "true"}, nil},
	} {
		rng := tensor.NewRand(7)
		p32 := tensor.New[float32](n)
		p32.RandN(rng, 0, 1)
		v32 := autograd.NewParam(p32, "w")
		v64 := autograd.NewParam(tensor.Convert[float64](p32), "w")
		o32, err := newOptimizer(c.name, []*autograd.Var[float32]{v32}, c.settings)
		if err != nil {
			t.Fatal(err)
		}
		o64, err := newOptimizer(c.name, []*autograd.Var[float64]{v64}, c.settings)
		if err != nil {
			t.Fatal(err)
		}
		ref := slices.Clone(p32.Data())
		s1, s2 := make([]float32, n), make([]float32, n)
		for step := 1; step <= steps; step++ {
			v32.Grad.RandN(rng, 0, 1)
			for i, g := range v32.Grad.Data() {
				v64.Grad.Data()[i] = float64(g)
			}
			o32.Step()
			o64.Step()
			if c.ref != nil {
				c.ref(ref, v32.Grad.Data(), s1, s2, step)
			}
		}
		for i, got := range v32.Value.Data() {
			want := v64.Value.Data()[i]
			if math.Abs(float64(got)-want) > 1e-5*(1+math.Abs(want)) {
				t.Fatalf("%s %v: p[%d] = %v in float32, %v in float64", c.name, c.settings, i, got, want)
			}
			if c.ref != nil && got != ref[i] {
				t.Fatalf("%s %v: p[%d] = %v, the kernel gives %v", c.name, c.settings, i, got, ref[i])
			}
		}
	}
}
