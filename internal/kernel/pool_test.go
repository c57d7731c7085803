package kernel

import (
	"fmt"
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
