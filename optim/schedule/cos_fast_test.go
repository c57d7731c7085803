package schedule

import (
	"math"
	"testing"

	"github.com/descent-ml/descent/tensor"
)

// TestCosFastMatchesBig: wherever the double-double path answers, its
// value must be the big.Float path's, bit for bit: random points of
// [-2π, 2π], the points schedules use (π·t/T), and the neighbourhoods of
// the multiples of π/2 where the reduction cancels.
func TestCosFastMatchesBig(t *testing.T) {
	xs := []float64{0, math.Pi, math.Pi / 2, 2 * math.Pi, -math.Pi, 1e-300, 0.5}
	for _, T := range []int{7, 100, 1000, 23456} {
		for i := 0; i <= T; i += max(1, T/300) {
			xs = append(xs, math.Pi*float64(i)/float64(T))
		}
	}
	for k := 1.0; k <= 4; k++ {
		x := k * math.Pi / 2
		for range 50 {
			xs = append(xs, x)
			x = math.Nextafter(x, 0)
		}
	}
	rng := tensor.NewRand(3)
	for range 20000 {
		xs = append(xs, (rng.Float64()*4-2)*math.Pi)
	}
	declined := 0
	for _, x := range xs {
		want := cosBig(x)
		got, ok := cosFast(x)
		if !ok {
			declined++
			continue
		}
		if got != want {
			t.Fatalf("cosFast(%v) = %v, big.Float gives %v", x, got, want)
		}
	}
	if declined > len(xs)/1000 {
		t.Errorf("the fast path declined %d of %d inputs", declined, len(xs))
	}
	for _, x := range []float64{7, -7, math.Inf(1), math.NaN()} {
		if _, ok := cosFast(x); ok {
			t.Errorf("cosFast(%v) answered outside [-2π, 2π]", x)
		}
	}
}

// TestCosAllocatesNothing: the schedules call cos once per training step.
func TestCosAllocatesNothing(t *testing.T) {
	x := 1.234
	if n := testing.AllocsPerRun(100, func() { x = cos(x) + 1 }); n != 0 {
		t.Fatalf("cos allocated %v times per call", n)
	}
}
