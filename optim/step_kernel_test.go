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
// by the golden tests) and beside internal/kernel's fused steps called by
// hand. float32 must follow the float64 trajectory to float32 accuracy and
// match the kernel bit for bit: that is what proves the float32 step is
// the kernel's (whose assembly internal/kernel tests against its spec under
// every option).
func TestFloat32StepsUseKernels(t *testing.T) {
	const n, steps = 1<<16 + 37, 8 // above the kernels' parallel threshold, not a whole number of vectors
	for _, c := range []struct {
		name     string
		settings map[string]string
		// ref applies the kernel step to p with gradient g and state s at
		// step t (1-based).
		ref func(p, g []float32, s [3][]float32, t int)
	}{
		{"sgd", map[string]string{"lr": "0.1"}, func(p, g []float32, _ [3][]float32, _ int) {
			kernel.SGDStep(p, g, nil, kernel.SGDParams{LR: 0.1}, false)
		}},
		{"sgd", map[string]string{"lr": "0.05", "momentum": "0.9", "nesterov": "true", "weight_decay": "0.01"}, func(p, g []float32, s [3][]float32, t int) {
			kernel.SGDStep(p, g, s[0], kernel.SGDParams{LR: 0.05, Momentum: 0.9, Nesterov: true, WeightDecay: 0.01}, t == 1)
		}},
		{"sgd", map[string]string{"lr": "0.05", "momentum": "0.8", "dampening": "0.3"}, func(p, g []float32, s [3][]float32, t int) {
			kernel.SGDStep(p, g, s[0], kernel.SGDParams{LR: 0.05, Momentum: 0.8, Dampening: 0.3}, t == 1)
		}},
		{"sgd", map[string]string{"lr": "0.1", "momentum": "0.9", "maximize": "true"}, func(p, g []float32, s [3][]float32, t int) {
			kernel.SGDStep(p, g, s[0], kernel.SGDParams{LR: 0.1, Momentum: 0.9, Maximize: true}, t == 1)
		}},
		{"adam", map[string]string{"lr": "0.01"}, func(p, g []float32, s [3][]float32, t int) {
			kernel.AdamStep(p, g, s[0], s[1], nil, kernel.AdamParams{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, t)
		}},
		{"adam", map[string]string{"lr": "0.01", "weight_decay": "0.1"}, func(p, g []float32, s [3][]float32, t int) {
			kernel.AdamStep(p, g, s[0], s[1], nil, kernel.AdamParams{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1}, t)
		}},
		{"adamw", map[string]string{"lr": "0.01"}, func(p, g []float32, s [3][]float32, t int) {
			kernel.AdamStep(p, g, s[0], s[1], nil, kernel.AdamParams{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Decoupled: true}, t)
		}},
		{"adam", map[string]string{"lr": "0.01", "amsgrad": "true"}, func(p, g []float32, s [3][]float32, t int) {
			kernel.AdamStep(p, g, s[0], s[1], s[2], kernel.AdamParams{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, t)
		}},
		{"adamw", map[string]string{"lr": "0.01", "amsgrad": "true", "maximize": "true"}, func(p, g []float32, s [3][]float32, t int) {
			kernel.AdamStep(p, g, s[0], s[1], s[2], kernel.AdamParams{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8,
				WeightDecay: 0.01, Decoupled: true, Maximize: true}, t)
		}},
		{"adagrad", map[string]string{"lr": "0.01", "lr_decay": "0.01", "weight_decay": "0.01"}, func(p, g []float32, s [3][]float32, t int) {
			kernel.AdagradStep(p, g, s[0], kernel.AdagradParams{LR: 0.01 / (1 + float64(t-1)*0.01), Eps: 1e-10, WeightDecay: 0.01})
		}},
		{"rmsprop", nil, func(p, g []float32, s [3][]float32, _ int) {
			kernel.RMSpropStep(p, g, s[0], nil, nil, kernel.RMSpropParams{LR: 0.01, Alpha: 0.99, Eps: 1e-8})
		}},
		{"rmsprop", map[string]string{"momentum": "0.9", "maximize": "true"}, func(p, g []float32, s [3][]float32, _ int) {
			kernel.RMSpropStep(p, g, s[0], s[1], nil, kernel.RMSpropParams{LR: 0.01, Alpha: 0.99, Eps: 1e-8, Momentum: 0.9, Maximize: true})
		}},
		{"rmsprop", map[string]string{"centered": "true", "weight_decay": "0.01"}, func(p, g []float32, s [3][]float32, _ int) {
			kernel.RMSpropStep(p, g, s[0], nil, s[2], kernel.RMSpropParams{LR: 0.01, Alpha: 0.99, Eps: 1e-8, Centered: true, WeightDecay: 0.01})
		}},
		{"rmsprop", map[string]string{"centered": "true", "momentum": "0.5"}, func(p, g []float32, s [3][]float32, _ int) {
			kernel.RMSpropStep(p, g, s[0], s[1], s[2], kernel.RMSpropParams{LR: 0.01, Alpha: 0.99, Eps: 1e-8, Centered: true, Momentum: 0.5})
		}},
		{"adadelta", map[string]string{"maximize": "true"}, func(p, g []float32, s [3][]float32, _ int) {
			kernel.AdadeltaStep(p, g, s[0], s[1], kernel.AdadeltaParams{LR: 1, Rho: 0.9, Eps: 1e-6, Maximize: true})
		}},
		{"adamax", map[string]string{"weight_decay": "0.01", "maximize": "true"}, func(p, g []float32, s [3][]float32, t int) {
			kernel.AdamaxStep(p, g, s[0], s[1], kernel.AdamaxParams{LR: 2e-3 / (1 - math.Pow(0.9, float64(t))), Beta1: 0.9, Beta2: 0.999,
				Eps: 1e-8, WeightDecay: 0.01, Maximize: true})
		}},
		{"nadam", map[string]string{"momentum_decay": "0.01"}, nadamRef(2e-3, 0.9, 0.999, 1e-8, 0.01)},
		{"radam", map[string]string{"lr": "0.01", "maximize": "true"}, func(p, g []float32, s [3][]float32, t int) {
			b1, b2, tf := 0.9, 0.999, float64(t)
			bc2 := 1 - math.Pow(b2, tf)
			rhoInf := 2/(1-b2) - 1
			rhoT := rhoInf - 2*tf*math.Pow(b2, tf)/bc2
			h := kernel.RAdamParams{LR: 0.01, Beta1: b1, Beta2: b2, Eps: 1e-8, Bc1: 1 - math.Pow(b1, tf), Maximize: true}
			if rhoT > 5 { // rectified from step 6 on
				h.Rect = math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
				h.Bc2Sqrt = math.Sqrt(bc2)
			}
			kernel.RAdamStep(p, g, s[0], s[1], h)
		}},
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
		state := [3][]float32{make([]float32, n), make([]float32, n), make([]float32, n)}
		for step := 1; step <= steps; step++ {
			v32.Grad.RandN(rng, 0, 1)
			for i, g := range v32.Grad.Data() {
				v64.Grad.Data()[i] = float64(g)
			}
			o32.Step()
			o64.Step()
			c.ref(ref, v32.Grad.Data(), state, step)
		}
		for i, got := range v32.Value.Data() {
			want := v64.Value.Data()[i]
			if math.Abs(float64(got)-want) > 1e-5*(1+math.Abs(want)) {
				t.Fatalf("%s %v: p[%d] = %v in float32, %v in float64", c.name, c.settings, i, got, want)
			}
			if got != ref[i] {
				t.Fatalf("%s %v: p[%d] = %v, the kernel gives %v", c.name, c.settings, i, got, ref[i])
			}
		}
	}
}

// nadamRef returns NAdam's kernel step with the momentum schedule
// mu_t = b1*(1 - 0.5*0.96^(t*psi)) and its running product.
func nadamRef(lr, b1, b2, eps, psi float64) func(p, g []float32, s [3][]float32, t int) {
	prod := 1.0
	return func(p, g []float32, s [3][]float32, t int) {
		mu := b1 * (1 - 0.5*math.Pow(0.96, float64(t)*psi))
		muNext := b1 * (1 - 0.5*math.Pow(0.96, float64(t+1)*psi))
		prod *= mu
		kernel.NAdamStep(p, g, s[0], s[1], kernel.NAdamParams{Beta1: b1, Beta2: b2, Eps: eps, Bc2: 1 - math.Pow(b2, float64(t)),
			LRGrad: lr * (1 - mu) / (1 - prod), LRMomentum: lr * muNext / (1 - prod*muNext)})
	}
}
