package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ruleCases are the fused steps of optstep_rules.go, each run for three
// steps on arrays p, g, and state a[2], a[3] (made non-negative where the
// rule takes their root), checked bit for bit against the same call with
// the vector kernels off and one thread (the Go spec) by TestVectorKernels
// over random lengths inside guard bands.
var ruleCases = []struct {
	name string
	step func(a [4][]float32, t int)
}{
	{"AdagradStep", func(a [4][]float32, t int) {
		AdagradStep(a[0], a[1], a[2], AdagradParams{LR: 0.01 / float64(t), Eps: 1e-10, WeightDecay: 0.01})
	}},
	{"AdagradStep maximize", func(a [4][]float32, t int) {
		AdagradStep(a[0], a[1], a[2], AdagradParams{LR: 0.01, Eps: 1e-10, Maximize: true})
	}},
	{"RMSpropStep", func(a [4][]float32, t int) {
		RMSpropStep(a[0], a[1], a[2], nil, nil, RMSpropParams{LR: 0.01, Alpha: 0.99, Eps: 1e-8})
	}},
	{"RMSpropStep momentum", func(a [4][]float32, t int) {
		RMSpropStep(a[0], a[1], a[2], a[3], nil, RMSpropParams{LR: 0.01, Alpha: 0.9, Eps: 1e-8, Momentum: 0.9, WeightDecay: 0.1})
	}},
	{"RMSpropStep centered", func(a [4][]float32, t int) {
		RMSpropStep(a[0], a[1], a[2], nil, a[3], RMSpropParams{LR: 0.01, Alpha: 0.9, Eps: 1e-8, Centered: true})
	}},
	{"AdadeltaStep", func(a [4][]float32, t int) {
		AdadeltaStep(a[0], a[1], a[2], a[3], AdadeltaParams{LR: 1, Rho: 0.9, Eps: 1e-6, WeightDecay: 0.01})
	}},
	{"AdamaxStep", func(a [4][]float32, t int) {
		AdamaxStep(a[0], a[1], a[2], a[3], AdamaxParams{LR: 0.002 / float64(t), Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01})
	}},
	{"NAdamStep", func(a [4][]float32, t int) {
		NAdamStep(a[0], a[1], a[2], a[3], NAdamParams{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Bc2: 0.001 * float64(t),
			LRGrad: 1e-3, LRMomentum: 2e-3, WeightDecay: 0.01})
	}},
	{"RAdamStep", func(a [4][]float32, t int) {
		RAdamStep(a[0], a[1], a[2], a[3], RAdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Bc1: 0.1 * float64(t)})
	}},
	{"RAdamStep rectified", func(a [4][]float32, t int) {
		RAdamStep(a[0], a[1], a[2], a[3], RAdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Bc1: 0.5,
			Rect: 0.3, Bc2Sqrt: 0.2, Maximize: true})
	}},
	{"RAdamStep rectified l2", func(a [4][]float32, t int) {
		RAdamStep(a[0], a[1], a[2], a[3], RAdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Bc1: 0.5,
			Rect: 0.3 * float64(t), Bc2Sqrt: 0.2, WeightDecay: 0.1})
	}},
	{"AdadeltaStep maximize", func(a [4][]float32, t int) {
		AdadeltaStep(a[0], a[1], a[2], a[3], AdadeltaParams{LR: 0.5, Rho: 0.95, Eps: 1e-6, Maximize: true})
	}},
	{"LookaheadSync", func(a [4][]float32, t int) { LookaheadSync(a[0], a[2], 0.5) }},
}

func init() {
	for _, c := range ruleCases {
		run := func(a [4][]float32) {
			abs32(a[2])
			for t := 1; t <= 3; t++ {
				c.step(a, t)
			}
		}
		vectorCases = append(vectorCases, struct {
			name string
			run  func(arrays [4][]float32)
			spec func(arrays [4][]float32)
		}{c.name, run, func(a [4][]float32) {
			old, oldThreads := vectorISA, threads.Load()
			vectorISA = 0
			SetThreads(1)
			run(a)
			vectorISA = old
			threads.Store(oldThreads)
		}})
	}
}

func abs32(x []float32) {
	for i, v := range x {
		x[i] = float32(math.Abs(float64(v)))
	}
}

// TestRuleStepsParallel: steps long enough to be split over goroutines
// give the single-goroutine bits.
func TestRuleStepsParallel(t *testing.T) {
	n := 3*minParallelStep + 5
	rng := rand.New(rand.NewPCG(15, 16))
	for _, c := range ruleCases {
		var got, want [4][]float32
		for i := range got {
			got[i], _ = guardedSlice(rng, n, i >= 2)
			want[i] = clone(got[i])
		}
		withThreads(t, 3)
		c.step(got, 1)
		SetThreads(1)
		c.step(want, 1)
		for i := range got {
			if !equalBits(got[i], want[i]) {
				t.Fatalf("%s: array %d split over 3 threads differs from one thread", c.name, i)
			}
		}
	}
}

// TestRuleStepsAllocate: a warm float32 step allocates nothing.
func TestRuleStepsAllocate(t *testing.T) {
	var a [4][]float32
	for i := range a {
		a[i] = make([]float32, 1000)
	}
	for _, c := range ruleCases {
		if n := testing.AllocsPerRun(10, func() { c.step(a, 1) }); n != 0 {
			t.Errorf("%s: %v allocations per step", c.name, n)
		}
	}
}
