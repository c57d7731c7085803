package optim_test

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// stepVariants lists every optimizer under each of its options that
// changes the step's rule (and a few combinations of them), with Lookahead
// over every inner optimizer: the warm-step allocation test and
// BenchmarkStep run them all, so no option can fall back to a slow or
// allocating path unnoticed.
var stepVariants = []struct{ name, settings string }{
	{"sgd", "lr=0.001"},
	{"sgd", "lr=0.001,weight_decay=0.01"},
	{"sgd", "lr=0.001,momentum=0.9"},
	{"sgd", "lr=0.001,momentum=0.9,dampening=0.3"},
	{"sgd", "lr=0.001,momentum=0.9,nesterov=true,weight_decay=0.01"},
	{"sgd", "lr=0.001,maximize=true"},
	{"sgd", "lr=0.001,momentum=0.9,nesterov=true,maximize=true"},
	{"adagrad", ""},
	{"adagrad", "lr_decay=0.01,weight_decay=0.01,initial_accumulator_value=0.1"},
	{"adagrad", "maximize=true"},
	{"rmsprop", ""},
	{"rmsprop", "weight_decay=0.01"},
	{"rmsprop", "momentum=0.9"},
	{"rmsprop", "centered=true"},
	{"rmsprop", "centered=true,momentum=0.9"},
	{"rmsprop", "maximize=true"},
	{"rmsprop", "centered=true,momentum=0.9,weight_decay=0.01,maximize=true"},
	{"adadelta", ""},
	{"adadelta", "weight_decay=0.01"},
	{"adadelta", "maximize=true"},
	{"adam", ""},
	{"adam", "weight_decay=0.01"},
	{"adam", "amsgrad=true"},
	{"adam", "maximize=true"},
	{"adam", "amsgrad=true,weight_decay=0.01,maximize=true"},
	{"adamw", ""},
	{"adamw", "amsgrad=true"},
	{"adamw", "maximize=true"},
	{"adamax", ""},
	{"adamax", "weight_decay=0.01"},
	{"adamax", "maximize=true"},
	{"nadam", ""},
	{"nadam", "weight_decay=0.01,momentum_decay=0.01"},
	{"nadam", "maximize=true"},
	{"radam", ""},
	{"radam", "weight_decay=0.01"},
	{"radam", "maximize=true"},
	{"lookahead", "inner=sgd,lr=0.001,momentum=0.9"},
	{"lookahead", "inner=adagrad"},
	{"lookahead", "inner=rmsprop,inner.alpha=0.9,centered=true"},
	{"lookahead", "inner=adadelta"},
	{"lookahead", "inner=adam,amsgrad=true"},
	{"lookahead", "inner=adamw"},
	{"lookahead", "inner=adamax"},
	{"lookahead", "inner=nadam"},
	{"lookahead", "inner=radam,maximize=true"},
}

// variantName names a stepVariants row for subtests and benchmarks.
func variantName(name, settings string) string {
	if settings == "" {
		return name
	}
	return name + "/" + strings.ReplaceAll(settings, "=", ":")
}

// bigParams returns a small and a large float32 parameter (the large one
// above the size at which a step splits across goroutines) with random
// values and gradients.
func bigParams(seed uint64) []*autograd.Var[float32] {
	rng := tensor.NewRand(seed)
	var ps []*autograd.Var[float32]
	for _, n := range []int{12, 1<<16 + 5} {
		v := tensor.New[float32](n)
		v.RandN(rng, 0, 1)
		p := autograd.NewParam(v, "p")
		p.Grad.RandN(rng, 0, 1)
		ps = append(ps, p)
	}
	return ps
}

func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// TestWarmStepAllocatesNothing: once the state exists, a step of any
// optimizer, under any of its options, touches the heap neither on the single-goroutine path
// (AllocsPerRun runs with GOMAXPROCS 1) nor on the split path.
func TestWarmStepAllocatesNothing(t *testing.T) {
	for _, o := range stepVariants {
		name := variantName(o.name, o.settings)
		params := bigParams(1)
		opt, err := optim.New(o.name, params, o.settings)
		if err != nil {
			t.Fatal(err)
		}
		opt.Step()
		opt.Step()
		if n := testing.AllocsPerRun(10, opt.Step); n != 0 {
			t.Errorf("%s: a warm step allocated %v times", name, n)
		}
		if runtime.GOMAXPROCS(0) < 2 {
			continue
		}
		// The split path blocks on a channel and a WaitGroup. The runtime
		// allocates the wait records for that (sudogs) and caches them, but
		// drops its caches at every garbage collection, so a split step may
		// cost an allocation per GC cycle, never one per step. Check that
		// (how many GC cycles run depends on the machine's load), with the
		// collector off while counting so a loaded machine cannot push the
		// count up.
		for range 20 {
			opt.Step()
		}
		gc := debug.SetGCPercent(-1)
		before := mallocs()
		for range 200 {
			opt.Step()
		}
		after := mallocs()
		debug.SetGCPercent(gc)
		if n := after - before; n >= 20 { // an allocation per step would make 200
			t.Errorf("%s: 200 warm split steps allocated %d times", name, n)
		}
	}
}

// TestSplitDoesNotChangeResults runs each optimizer variant on a large
// tensor with one goroutine and with two: the bits must agree.
func TestSplitDoesNotChangeResults(t *testing.T) {
	run := func(name, settings string, procs int) []*autograd.Var[float32] {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		params := bigParams(2)
		opt, err := optim.New(name, params, settings)
		if err != nil {
			t.Fatal(err)
		}
		for range 6 {
			opt.Step()
		}
		return params
	}
	for _, o := range stepVariants {
		a, b := run(o.name, o.settings, 1), run(o.name, o.settings, 2)
		for i := range a {
			for j, v := range a[i].Value.Data() {
				if w := b[i].Value.Data()[j]; v != w {
					t.Fatalf("%s: param %d[%d]: %v with one goroutine, %v with two", variantName(o.name, o.settings), i, j, v, w)
				}
			}
		}
	}
}

// BenchmarkStep measures one step of each optimizer variant over 1M
// float32 parameters.
func BenchmarkStep(b *testing.B) {
	for _, o := range stepVariants {
		b.Run(variantName(o.name, o.settings), func(b *testing.B) {
			v := tensor.New[float32](1 << 20)
			p := autograd.NewParam(v, "p")
			p.Grad.Fill(0.01)
			opt, err := optim.New(o.name, []*autograd.Var[float32]{p}, o.settings)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(4 << 20)
			for b.Loop() {
				opt.Step()
			}
		})
	}
}

var _ optim.Optimizer[float32] // the tests build optimizers of both types
