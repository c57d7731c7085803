package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// reduceLengths covers the tails around 16 floats, several chunks with a
// short last one, and a length that splits unevenly over the workers.
func reduceLengths() []int {
	return append(vectorLengths(), reduceChunk-1, reduceChunk, 2*reduceChunk+17, 5*reduceChunk+3)
}

// naiveReduce is the textbook loop in float64, the reference the sums must
// be close to (not equal: the order of additions differs).
func naiveReduce(x, y []float32, shift float64) (sum, sumSq float64) {
	for i, v := range x {
		d := float64(v) - shift
		if y != nil {
			d = float64(v) - float64(y[i])
		}
		sum += d
		sumSq += d * d
	}
	return sum, sumSq
}

// TestReductions: Moments, SumSquares and SquaredDistance agree bit for bit
// across instruction sets (the order of additions is specified), match the chunked Go spec, stay near the naive float64 sum,
// and read nothing outside their arrays (they write nothing at all).
func TestReductions(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range reduceLengths() {
		x, checkX := guardedSlice(rng, n, false)
		y, checkY := guardedSlice(rng, n, false)
		for i := range x {
			x[i] += 3 // a mean away from 0, so that the shift matters
		}
		spec := func() (s, q, d float64) {
			for c := 0; c*reduceChunk < n || c == 0 && n == 0; c++ {
				lo, hi := c*reduceChunk, min((c+1)*reduceChunk, n)
				cs, cq := momentsSpec(x[lo:hi], 3)
				s, q, d = s+cs, q+cq, d+sqdistSpec(x[lo:hi], y[lo:hi])
			}
			return s, q, d
		}
		ws, wq, wd := spec()
		_, ns := naiveReduce(x, nil, 0)
		if nq := SumSquares(x); !near(nq, ns, 1e-12) {
			t.Errorf("n=%d: SumSquares = %v, naive %v", n, nq, ns)
		}
		as, aq := naiveReduce(x, nil, 3)
		_, ad := naiveReduce(x, y, 0)
		if !near(ws, as, 1e-9) || !near(wq, aq, 1e-12) || !near(wd, ad, 1e-12) {
			t.Errorf("n=%d: spec %v %v %v, naive %v %v %v", n, ws, wq, wd, as, aq, ad)
		}
		for _, isa := range vectorISAs() {
			withISA(t, isa)
			s, q := Moments(x, 3)
			d := SquaredDistance(x, y)
			if s != ws || q != wq || d != wd {
				t.Errorf("n=%d isa=%d: Moments %v %v, SquaredDistance %v; spec %v %v %v", n, isa, s, q, d, ws, wq, wd)
			}
		}
		checkX(t, "x")
		checkY(t, "y")
	}
}

func near(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// TestReductionsNonFinite: a NaN or an infinity anywhere makes the sum of
// squares non-finite, so a norm also tells whether a gradient is finite.
func TestReductionsNonFinite(t *testing.T) {
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		for _, at := range []int{0, 7, 16, 1000, reduceChunk + 5} {
			x := make([]float32, 3*reduceChunk)
			x[at] = bad
			if q := SumSquares(x); !math.IsNaN(q) && !math.IsInf(q, 0) {
				t.Errorf("%v at %d: SumSquares = %v", bad, at, q)
			}
		}
	}
}

// TestReductionsAllocateNothing: a call allocates nothing (the recorder
// calls them in the training step, which must not allocate).
func TestReductionsAllocateNothing(t *testing.T) {
	x := make([]float32, 4*reduceChunk+3)
	SumSquares(x)
	if n := testing.AllocsPerRun(10, func() { SumSquares(x); SquaredDistance(x, x) }); n != 0 {
		t.Errorf("%v allocations per call", n)
	}
}

func BenchmarkSumSquares(b *testing.B) {
	for _, n := range []int{8192, 784 * 512} {
		x := make([]float32, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(4 * n))
			for b.Loop() {
				SumSquares(x)
			}
		})
	}
}
