package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// arrays are one step's parameter, gradient and up to three state arrays.
type arrays = [5][]float32

// ruleCase is a fused step under one combination of its options, run for
// steps t = 1, 2, 3 on p = a[0], g = a[1] and state a[2], a[3], a[4];
// prep makes the state valid for the rule (a[2], the second moment where
// a rule has one, is made non-negative before it).
type ruleCase struct {
	name string
	prep func(a arrays)
	step func(a arrays, t int)
}

// options are the options a ruleCase turns on.
type options map[string]bool

func (o options) on(option string) bool { return o[option] }

// ifOn returns x when option is on, else 0.
func (o options) ifOn(option string, x float64) float64 {
	if o[option] {
		return x
	}
	return 0
}

// each returns one ruleCase per subset of opts (the first with none on).
func each(name string, opts []string, prep func(o options, a arrays), step func(o options, a arrays, t int)) []ruleCase {
	var cs []ruleCase
	for mask := range 1 << len(opts) {
		o, label := options{}, name
		for i, opt := range opts {
			if mask>>i&1 != 0 {
				o[opt], label = true, label+" "+opt
			}
		}
		c := ruleCase{name: label, step: func(a arrays, t int) { step(o, a, t) }}
		if prep != nil {
			c.prep = func(a arrays) { prep(o, a) }
		}
		cs = append(cs, c)
	}
	return cs
}

// ruleCases are every fused step of optstep.go and optstep_rules.go under
// every combination of the options that change its rule, checked bit for
// bit against the same calls with the vector kernels off and one thread
// (the Go spec) by TestVectorKernels over random lengths inside guard
// bands, by TestRuleStepsSpecialValues and TestRuleStepsParallel.
var ruleCases = func() []ruleCase {
	var cs []ruleCase
	add := func(c []ruleCase) { cs = append(cs, c...) }
	add(each("SGDStep", []string{"wd", "maximize", "momentum", "dampening", "nesterov"}, nil, func(o options, a arrays, t int) {
		buf := a[2]
		if !o.on("momentum") {
			buf = nil
		}
		SGDStep(a[0], a[1], buf, SGDParams{LR: 0.05, WeightDecay: o.ifOn("wd", 0.01), Momentum: o.ifOn("momentum", 0.9),
			Dampening: o.ifOn("dampening", 0.3), Nesterov: o.on("nesterov"), Maximize: o.on("maximize")}, t == 1)
	}))
	add(each("AdamStep", []string{"wd", "decoupled", "maximize", "amsgrad"}, nil, func(o options, a arrays, t int) {
		vmax := a[4]
		if !o.on("amsgrad") {
			vmax = nil
		}
		AdamStep(a[0], a[1], a[2], a[3], vmax, AdamParams{LR: 1e-2, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6,
			WeightDecay: o.ifOn("wd", 0.1), Decoupled: o.on("decoupled"), Maximize: o.on("maximize")}, t)
	}))
	add(each("AdagradStep", []string{"wd", "maximize"}, nil, func(o options, a arrays, t int) {
		AdagradStep(a[0], a[1], a[2], AdagradParams{LR: 0.01 / float64(t), Eps: 1e-10, WeightDecay: o.ifOn("wd", 0.01),
			Maximize: o.on("maximize")})
	}))
	add(each("RMSpropStep", []string{"wd", "maximize", "momentum", "centered"}, func(o options, a arrays) {
		if o.on("centered") { // the mean square is at least the squared mean
			for i, m := range a[4] {
				a[2][i] += m * m
			}
		}
	}, func(o options, a arrays, t int) {
		RMSpropStep(a[0], a[1], a[2], a[3], a[4], RMSpropParams{LR: 0.01, Alpha: 0.9, Eps: 1e-8, WeightDecay: o.ifOn("wd", 0.1),
			Momentum: o.ifOn("momentum", 0.9), Centered: o.on("centered"), Maximize: o.on("maximize")})
	}))
	add(each("AdadeltaStep", []string{"wd", "maximize"}, nil, func(o options, a arrays, t int) {
		AdadeltaStep(a[0], a[1], a[2], a[3], AdadeltaParams{LR: 0.5, Rho: 0.9, Eps: 1e-6, WeightDecay: o.ifOn("wd", 0.01),
			Maximize: o.on("maximize")})
	}))
	add(each("AdamaxStep", []string{"wd", "maximize"}, nil, func(o options, a arrays, t int) {
		AdamaxStep(a[0], a[1], a[2], a[3], AdamaxParams{LR: 0.002 / float64(t), Beta1: 0.9, Beta2: 0.999, Eps: 1e-8,
			WeightDecay: o.ifOn("wd", 0.01), Maximize: o.on("maximize")})
	}))
	add(each("NAdamStep", []string{"wd", "maximize"}, nil, func(o options, a arrays, t int) {
		NAdamStep(a[0], a[1], a[2], a[3], NAdamParams{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Bc2: 0.001 * float64(t),
			LRGrad: 1e-3, LRMomentum: 2e-3, WeightDecay: o.ifOn("wd", 0.01), Maximize: o.on("maximize")})
	}))
	add(each("RAdamStep", []string{"wd", "maximize", "rectified"}, nil, func(o options, a arrays, t int) {
		h := RAdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Bc1: 0.1 * float64(t),
			WeightDecay: o.ifOn("wd", 0.1), Maximize: o.on("maximize")}
		if o.on("rectified") && t > 1 { // the first step is never rectified
			h.Rect, h.Bc2Sqrt = 0.3*float64(t), 0.2
		}
		RAdamStep(a[0], a[1], a[2], a[3], h)
	}))
	add(each("LookaheadSync", nil, nil, func(_ options, a arrays, _ int) { LookaheadSync(a[0], a[2], 0.5) }))
	return cs
}()

func init() {
	for _, c := range ruleCases {
		run := func(a arrays) {
			abs32(a[2])
			if c.prep != nil {
				c.prep(a)
			}
			for t := 1; t <= 3; t++ {
				c.step(a, t)
			}
		}
		vectorCases = append(vectorCases, vectorCase{c.name, run, func(a arrays) { asSpec(func() { run(a) }) }})
	}
}

// asSpec runs f with the vector kernels off and one thread: the Go spec.
func asSpec(f func()) {
	old, oldThreads := vectorISA, threads.Load()
	vectorISA = 0
	SetThreads(1)
	f()
	vectorISA = old
	threads.Store(oldThreads)
}

func abs32(x []float32) {
	for i, v := range x {
		x[i] = float32(math.Abs(float64(v)))
	}
}

// TestRuleStepsSpecialValues: gradients and parameters holding NaN, ±Inf,
// ±0, subnormals and huge values give the spec's bits too, except that a
// NaN may differ from the spec's NaN in sign and payload: which of two NaN
// operands an addition returns depends on the operand order the Go
// compiler picks, which the spec cannot pin down.
func TestRuleStepsSpecialValues(t *testing.T) {
	special := []float32{float32(math.NaN()), -float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
		0, float32(math.Copysign(0, -1)), 1e-40, -1e-40, 3e38, -3e38, 1, -1}
	rng := rand.New(rand.NewPCG(17, 18))
	n := 8*len(special) + 3
	for _, isa := range vectorISAs() {
		withISA(t, isa)
		for _, c := range ruleCases {
			for _, slot := range []int{0, 1} { // specials in p, then in g
				var got, want arrays
				for i := range got {
					got[i], _ = guardedSlice(rng, n, i >= 2)
					if i == slot {
						for j := range got[i] {
							got[i][j] = special[j%len(special)]
						}
					}
					want[i] = clone(got[i])
				}
				for _, a := range []arrays{got, want} {
					abs32(a[2])
					if c.prep != nil {
						c.prep(a)
					}
				}
				for step := 1; step <= 3; step++ {
					c.step(got, step)
					asSpec(func() { c.step(want, step) })
				}
				for i := range got {
					for j := range got[i] {
						g, w := math.Float32bits(got[i][j]), math.Float32bits(want[i][j])
						if g != w && !(got[i][j] != got[i][j] && want[i][j] != want[i][j]) {
							t.Fatalf("isa=%d %s, specials in array %d: array %d[%d] = %#08x, the spec gives %#08x",
								isa, c.name, slot, i, j, g, w)
						}
					}
				}
			}
		}
	}
}

// TestRuleStepsParallel: steps long enough to be split over goroutines
// give the single-goroutine bits.
func TestRuleStepsParallel(t *testing.T) {
	n := 3*minParallelStep + 5
	rng := rand.New(rand.NewPCG(15, 16))
	for _, c := range ruleCases {
		var got, want arrays
		for i := range got {
			got[i], _ = guardedSlice(rng, n, i >= 2)
			want[i] = clone(got[i])
		}
		if c.prep != nil {
			c.prep(got)
			c.prep(want)
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
	var a arrays
	for i := range a {
		a[i] = make([]float32, 1000)
	}
	for _, c := range ruleCases {
		if n := testing.AllocsPerRun(10, func() { c.step(a, 2) }); n != 0 {
			t.Errorf("%s: %v allocations per step", c.name, n)
		}
	}
}
