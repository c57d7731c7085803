package kernel

import (
	"math"
	"testing"
)

// TestPrefetch: Prefetch accepts any slice, empty, short, unaligned or
// spanning many lines, of either element type, and changes no value.
func TestPrefetch(t *testing.T) {
	x := make([]float32, 1000)
	for i := range x {
		x[i] = float32(i)
	}
	y := []float64{1, math.NaN(), -2}
	for _, r := range [][2]int{{0, 0}, {0, 1}, {3, 4}, {1, 17}, {5, 1000}, {999, 1000}} {
		Prefetch(x[r[0]:r[1]])
	}
	Prefetch(y)
	Prefetch(y[:0])
	Prefetch[float32](nil)
	for i, v := range x {
		if v != float32(i) {
			t.Fatalf("x[%d] = %v after Prefetch", i, v)
		}
	}
	if y[0] != 1 || y[1] == y[1] || y[2] != -2 {
		t.Fatalf("y = %v after Prefetch", y)
	}
}
