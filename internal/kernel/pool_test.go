package kernel

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// countJob counts how often each part runs.
type countJob struct{ runs [8]atomic.Int32 }

func (c *countJob) run(_ *packBuf, part int) { c.runs[part].Add(1) }

// TestRunPartsRunsEachPartOnce hands out calls back to back (workers still
// polling) and after pauses longer than spinFor (workers asleep): every
// part of every call must run exactly once, and runParts must return only
// when all have.
func TestRunPartsRunsEachPartOnce(t *testing.T) {
	for _, parts := range []int{2, 3, 8} {
		for _, pause := range []time.Duration{0, 3 * spinFor} {
			t.Run(fmt.Sprintf("parts=%d/pause=%v", parts, pause), func(t *testing.T) {
				for range 200 {
					var c countJob
					if acquire() == nil {
						t.Fatal("workers busy")
					}
					runParts(&c, parts)
					release()
					for p := range parts {
						if n := c.runs[p].Load(); n != 1 {
							t.Fatalf("part %d ran %d times", p, n)
						}
					}
					if pause > 0 {
						time.Sleep(pause)
					}
				}
			})
		}
	}
}

// sumParts writes part p's sum of its slice of x into out[p].
type sumParts struct {
	x   []float64
	out []float64
}

func (s *sumParts) RunPart(p, parts int) {
	lo, hi := len(s.x)*p/parts, len(s.x)*(p+1)/parts
	var t float64
	for _, v := range s.x[lo:hi] {
		t += v
	}
	s.out[p] = t
}

// TestParallelFor: every part runs, also when ParallelFor is called from
// inside a part (the workers are then busy and the inner call runs on its
// caller), and a warm call allocates nothing.
func TestParallelFor(t *testing.T) {
	x := make([]float64, 1000)
	for i := range x {
		x[i] = float64(i)
	}
	for _, parts := range []int{1, 2, 3, 8} {
		s := &sumParts{x: x, out: make([]float64, parts)}
		ParallelFor(parts, s)
		var total float64
		for _, v := range s.out {
			total += v
		}
		if total != 999*1000/2 {
			t.Fatalf("%d parts: total %v", parts, total)
		}
	}
	outer := &nested{inner: &sumParts{x: x, out: make([]float64, 4)}}
	ParallelFor(2, outer)
	if outer.ran.Load() != 2 {
		t.Fatalf("outer parts ran %d times", outer.ran.Load())
	}
	s := &sumParts{x: x, out: make([]float64, 2)}
	if n := testing.AllocsPerRun(100, func() { ParallelFor(2, s) }); n != 0 {
		t.Errorf("a warm ParallelFor allocated %v times", n)
	}
}

// nested calls ParallelFor from its part 1.
type nested struct {
	inner *sumParts
	ran   atomic.Int32
}

func (n *nested) RunPart(p, parts int) {
	if p == 1 {
		ParallelFor(4, n.inner)
	}
	n.ran.Add(1)
}

// overlap records how many of its parts ran at the same time.
type overlap struct {
	active, most atomic.Int32
	ran          [16]atomic.Int32
}

func (o *overlap) RunPart(p, _ int) {
	n := o.active.Add(1)
	for m := o.most.Load(); n > m && !o.most.CompareAndSwap(m, n); m = o.most.Load() {
	}
	time.Sleep(200 * time.Microsecond)
	o.ran[p].Add(1)
	o.active.Add(-1)
}

// TestParallelForHonoursThreads: ParallelFor never runs more parts at once
// than SetThreads allows (1 means all on the caller), and still runs every
// part exactly once.
func TestParallelForHonoursThreads(t *testing.T) {
	defer SetThreads(0)
	for _, tc := range []struct{ threads, parts int }{{1, 4}, {2, 8}, {3, 16}, {16, 4}} {
		SetThreads(tc.threads)
		var o overlap
		ParallelFor(tc.parts, &o)
		if most := int(o.most.Load()); most > tc.threads {
			t.Errorf("threads %d, %d parts: %d parts ran at once", tc.threads, tc.parts, most)
		}
		for p := range tc.parts {
			if n := o.ran[p].Load(); n != 1 {
				t.Errorf("threads %d, %d parts: part %d ran %d times", tc.threads, tc.parts, p, n)
			}
		}
	}
}

// busy is work that takes a fixed number of operations per part.
type busy struct{ out [16]float64 }

func (b *busy) RunPart(p, _ int) {
	x := float64(p)
	for i := range 20000 {
		x = x*0.999999 + float64(i&7)
	}
	b.out[p] = x
}

// TestOversubscribedCallsDoNotSpin: with more threads than cores, the
// goroutines of a call sleep instead of polling, so the CPU time of many
// calls stays close to that of their work. Spinning workers held a core
// that a waiting part needed until the runtime preempted them, which cost
// several times the work itself.
func TestOversubscribedCallsDoNotSpin(t *testing.T) {
	if testing.Short() || processCPU() == 0 {
		t.Skip("needs the process CPU time")
	}
	defer SetThreads(0)
	const parts, calls = 16, 200
	var b busy
	cpu0 := processCPU()
	for range calls {
		for p := range parts {
			b.RunPart(p, parts)
		}
	}
	serial := processCPU() - cpu0
	SetThreads(4 * runtime.NumCPU())
	ParallelFor(parts, &b) // start the workers
	cpu0 = processCPU()
	for range calls {
		ParallelFor(parts, &b)
	}
	over := processCPU() - cpu0
	t.Logf("CPU time of %d calls: serial %v, %d threads %v", calls, serial, 4*runtime.NumCPU(), over)
	if over > 2*serial+20*time.Millisecond {
		t.Errorf("%d threads on %d cores used %v of CPU for work that takes %v on one thread", 4*runtime.NumCPU(), runtime.NumCPU(), over, serial)
	}
}

// TestFreeList: a job put back is the one handed out next, and a nil list
// still hands out zero jobs.
func TestFreeList(t *testing.T) {
	type job struct{ n int }
	var l FreeList[job]
	a := l.Get()
	a.n = 7
	l.Put(a)
	if b := l.Get(); b != a || b.n != 7 {
		t.Fatalf("Get after Put returned %p (n=%d), want the job put back %p", b, b.n, a)
	}
	if c := l.Get(); c == a || c.n != 0 {
		t.Fatalf("Get on an empty list returned %p (n=%d), want a new zero job", c, c.n)
	}
	var none *FreeList[job]
	none.Put(&job{n: 1})
	if d := none.Get(); d == nil || d.n != 0 {
		t.Fatalf("nil list Get = %v, want a new zero job", d)
	}
}
