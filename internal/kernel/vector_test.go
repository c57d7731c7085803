package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// vectorLengths covers every tail length around the AVX2 and AVX-512 widths
// and a few long arrays.
func vectorLengths() []int {
	ls := []int{0}
	for n := 1; n <= 50; n++ {
		ls = append(ls, n)
	}
	return append(ls, 63, 64, 65, 255, 1000, 4099)
}

// guardedSlice returns an n-long slice of random values inside sentinel
// bands, and a check that the bands are intact.
func guardedSlice(rng *rand.Rand, n int, positive bool) ([]float32, func(t *testing.T, name string)) {
	buf := make([]float32, n+2*guard)
	for i := range buf {
		buf[i] = sentinel
	}
	s := buf[guard : guard+n]
	for i := range s {
		s[i] = float32(rng.NormFloat64())
		if positive {
			s[i] = float32(rng.Float64())
		}
	}
	return s, func(t *testing.T, name string) {
		t.Helper()
		for i, v := range buf {
			if (i < guard || i >= guard+n) && v != sentinel {
				t.Fatalf("%s: wrote outside the slice at %d", name, i-guard)
			}
		}
	}
}

// withISA makes isa the vector kernel level for the rest of the test.
func withISA(t *testing.T, isa int) {
	old := vectorISA
	vectorISA = isa
	t.Cleanup(func() { vectorISA = old })
}

// vectorCase runs an exported function (on the ISA under test) and its Go
// spec on copies of the same arrays; the arrays must agree bit for bit.
type vectorCase struct {
	name string
	run  func(a arrays)
	spec func(a arrays)
}

var vectorCases = []vectorCase{
	{"Axpy", func(a arrays) { Axpy(0.37, a[0], a[1]) }, func(a arrays) { axpySpec(0.37, a[0], a[1]) }},
	{"Add", func(a arrays) { Add(a[0], a[1], a[2]) }, func(a arrays) { addSpec(a[0], a[1], a[2]) }},
	{"Add in place", func(a arrays) { Add(a[1], a[1], a[2]) }, func(a arrays) { addSpec(a[1], a[1], a[2]) }},
	{"Mul", func(a arrays) { Mul(a[0], a[1], a[2]) }, func(a arrays) { mulSpec(a[0], a[1], a[2]) }},
}

// adamCases and sgdCases are the optimizer variants tested against their
// specs and against PyTorch (testdata/optstep.json has one case per row).
var adamCases = []struct {
	name    string
	h       AdamParams
	amsgrad bool
}{
	{"adam", AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, false},
	{"adam_l2", AdamParams{LR: 1e-2, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.1}, false},
	{"adamw", AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Decoupled: true}, false},
	{"adam_amsgrad", AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.6, Eps: 1e-8}, true},
	{"adamw_amsgrad_maximize", AdamParams{LR: 1e-2, Beta1: 0.8, Beta2: 0.5, Eps: 1e-6, WeightDecay: 0.01, Decoupled: true, Maximize: true}, true},
	{"adam_l2_maximize", AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Maximize: true}, false},
}

var sgdCases = []struct {
	name string
	h    SGDParams
}{
	{"sgd", SGDParams{LR: 0.1}},
	{"sgd_wd", SGDParams{LR: 0.1, WeightDecay: 0.01}},
	{"momentum", SGDParams{LR: 0.05, Momentum: 0.9}},
	{"momentum_dampening_wd", SGDParams{LR: 0.05, Momentum: 0.9, Dampening: 0.1, WeightDecay: 1e-3}},
	{"nesterov", SGDParams{LR: 0.05, Momentum: 0.9, Nesterov: true}},
	{"nesterov_wd_maximize", SGDParams{LR: 0.05, Momentum: 0.9, Nesterov: true, WeightDecay: 0.01, Maximize: true}},
}

func init() {
	for _, c := range adamCases {
		vmax := func(a arrays) []float32 {
			if c.amsgrad {
				return a[4]
			}
			return nil
		}
		vectorCases = append(vectorCases, vectorCase{"AdamStep " + c.name, func(a arrays) {
			for step := 1; step <= 3; step++ {
				AdamStep(a[0], a[1], a[2], a[3], vmax(a), c.h, step)
			}
		}, func(a arrays) {
			for step := 1; step <= 3; step++ {
				asSpec(func() { AdamStep(a[0], a[1], a[2], a[3], vmax(a), c.h, step) })
			}
		}})
	}
	for _, c := range sgdCases {
		vectorCases = append(vectorCases, vectorCase{"SGDStep " + c.name, func(a arrays) {
			for step := 1; step <= 3; step++ {
				SGDStep(a[0], a[1], a[2], c.h, step == 1)
			}
		}, func(a arrays) {
			for step := 1; step <= 3; step++ {
				sgdSpecFor(a[0], a[1], a[2], c.h, step == 1)
			}
		}})
	}
}

// adamSpecFor runs AdamStep with the vector kernels switched off: the spec.
func adamSpecFor(p, g, m, v []float32, h AdamParams, step int) {
	asSpec(func() { AdamStep(p, g, m, v, nil, h, step) })
}

func sgdSpecFor(p, g, buf []float32, h SGDParams, first bool) {
	asSpec(func() { SGDStep(p, g, buf, h, first) })
}

func TestVectorKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, isa := range vectorISAs() {
		withISA(t, isa)
		for _, tc := range vectorCases {
			for _, n := range vectorLengths() {
				var got, want arrays
				var checks [len(got)]func(*testing.T, string)
				for i := range got {
					// Array 3 is Adam's v: keep it non-negative.
					got[i], checks[i] = guardedSlice(rng, n, i == 3)
					want[i] = clone(got[i])
				}
				tc.run(got)
				tc.spec(want)
				name := fmt.Sprintf("isa=%d %s n=%d", isa, tc.name, n)
				for i := range got {
					checks[i](t, name)
					if !equalBits(got[i], want[i]) {
						t.Fatalf("%s: array %d differs from the Go spec", name, i)
					}
				}
			}
		}
	}
}

// TestOptimizerStepParallel: a step long enough to be split over goroutines
// gives the single-goroutine bits.
func TestOptimizerStepParallel(t *testing.T) {
	n := 3*minParallelStep + 5
	rng := rand.New(rand.NewPCG(13, 14))
	var got, want arrays
	for i := range got {
		got[i], _ = guardedSlice(rng, n, i == 3)
		want[i] = clone(got[i])
	}
	withThreads(t, 3)
	AdamStep(got[0], got[1], got[2], got[3], nil, adamCases[2].h, 2)
	SGDStep(got[0], got[1], got[2], sgdCases[4].h, false)
	adamSpecFor(want[0], want[1], want[2], want[3], adamCases[2].h, 2)
	sgdSpecFor(want[0], want[1], want[2], sgdCases[4].h, false)
	for i := range got {
		if !equalBits(got[i], want[i]) {
			t.Errorf("array %d: parallel step differs from the Go spec", i)
		}
	}
}

func TestOptimizerStepAllocs(t *testing.T) {
	n := 2*minParallelStep + 7
	p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for _, th := range []int{1, 2} {
		withThreads(t, th)
		AdamStep(p, g, m, v, nil, adamCases[0].h, 1)
		if a := testing.AllocsPerRun(10, func() {
			AdamStep(p, g, m, v, nil, adamCases[0].h, 2)
			SGDStep(p, g, m, sgdCases[2].h, false)
		}); a != 0 {
			t.Errorf("threads=%d: %v allocations per step, want 0", th, a)
		}
	}
}

func TestVectorPanics(t *testing.T) {
	a, b := make([]float32, 3), make([]float32, 4)
	tests := []struct {
		name, want string
		f          func()
	}{
		{"Axpy", "kernel: Axpy: len(x)=3 differs from len(y)=4", func() { Axpy(1, a, b) }},
		{"Add", "kernel: Add: len(x)=4 differs from len(dst)=3", func() { Add(a, b, a) }},
		{"Mul", "kernel: Mul: len(y)=4 differs from len(dst)=3", func() { Mul(a, a, b) }},
		{"AdamStep", "kernel: AdamStep:", func() { AdamStep(a, a, a, b, nil, adamCases[0].h, 1) }},
		{"AdamStep step 0", "step must be at least 1", func() { AdamStep(a, a, a, a, nil, adamCases[0].h, 0) }},
		{"SGDStep", "kernel: SGDStep: len(buf)=4", func() { SGDStep(a, a, b, sgdCases[2].h, true) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, tt.want) {
					t.Errorf("panic %q, want one containing %q", msg, tt.want)
				}
			}()
			tt.f()
		})
	}
}

// BenchmarkAdamStep times one Adam step on 10M float32 parameters and
// reports the effective bandwidth: 28 bytes per parameter (read p, g, m, v;
// write p, m, v). Compare with torch.optim.Adam in bench/pytorch/bench.py.
func BenchmarkAdamStep(b *testing.B) {
	const n = 10_000_000
	p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range g {
		p[i], g[i], m[i], v[i] = 1, float32(i%1000)*1e-3, 0, 0 // touch every page before timing
	}
	for _, th := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", th), func(b *testing.B) {
			old := threads.Load()
			SetThreads(th)
			defer threads.Store(old)
			step := 1
			for b.Loop() {
				AdamStep(p, g, m, v, nil, AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, step)
				step++
			}
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(sec*1e3, "ms/step")
			b.ReportMetric(28*n/sec/1e9, "GB/s")
		})
	}
}

var _ = math.Inf

// TestZero clears arrays short and long (split over the workers), float32
// and float64, and must touch nothing past the slice.
func TestZero(t *testing.T) {
	for _, th := range []int{1, 2} {
		withThreads(t, th)
		for _, n := range []int{0, 5, 1<<16 - 1, 1<<17 + 3, 1 << 20} {
			x := make([]float32, n+1)
			y := make([]float64, n+1)
			for i := range x {
				x[i], y[i] = 1, 1
			}
			Zero(x[:n])
			Zero(y[:n])
			for i := range n {
				if x[i] != 0 || y[i] != 0 {
					t.Fatalf("threads=%d n=%d: element %d not cleared", th, n, i)
				}
			}
			if x[n] != 1 || y[n] != 1 {
				t.Fatalf("threads=%d n=%d: cleared past the slice", th, n)
			}
		}
	}
}
