package optim_test

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

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
// optimizer touches the heap neither on the single-goroutine path
// (AllocsPerRun runs with GOMAXPROCS 1) nor on the split path.
func TestWarmStepAllocatesNothing(t *testing.T) {
	for _, o := range allOptimizers {
		params := bigParams(1)
		opt, err := newOptimizer(o.name, params, o.settings)
		if err != nil {
			t.Fatal(err)
		}
		opt.Step()
		opt.Step()
		if n := testing.AllocsPerRun(10, opt.Step); n != 0 {
			t.Errorf("%s: a warm step allocated %v times", o.name, n)
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
			t.Errorf("%s: 200 warm split steps allocated %d times", o.name, n)
		}
	}
}

// TestSplitDoesNotChangeResults runs each optimizer on a large tensor with
// one goroutine and with two: the bits must agree.
func TestSplitDoesNotChangeResults(t *testing.T) {
	run := func(name string, settings map[string]string, procs int) []*autograd.Var[float32] {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		params := bigParams(2)
		opt, err := newOptimizer(name, params, settings)
		if err != nil {
			t.Fatal(err)
		}
		for range 6 {
			opt.Step()
		}
		return params
	}
	for _, o := range allOptimizers {
		a, b := run(o.name, o.settings, 1), run(o.name, o.settings, 2)
		for i := range a {
			for j, v := range a[i].Value.Data() {
				if w := b[i].Value.Data()[j]; v != w {
					t.Fatalf("%s: param %d[%d]: %v with one goroutine, %v with two", o.name, i, j, v, w)
				}
			}
		}
	}
}

// BenchmarkStep measures one step of each optimizer over 1M float32
// parameters.
func BenchmarkStep(b *testing.B) {
	for _, o := range allOptimizers {
		b.Run(o.name, func(b *testing.B) {
			v := tensor.New[float32](1 << 20)
			p := autograd.NewParam(v, "p")
			p.Grad.Fill(0.01)
			opt, err := newOptimizer(o.name, []*autograd.Var[float32]{p}, o.settings)
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
