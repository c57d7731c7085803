package autograd

import (
	"math"
	"testing"

	"github.com/descent-ml/descent/tensor"
)

// TestReluGrad checks the branch-free mask against the rule it encodes,
// PyTorch's threshold_backward: the gradient passes unless the output is
// <= 0 (so it passes at NaN and +Inf, not at ±0), in both float types.
func TestReluGrad(t *testing.T) {
	ys := []float64{0, math.Copysign(0, -1), 1e-40, 1e-310, 0.5, 3e38, math.Inf(1), math.NaN(), -math.NaN(), 7}
	testReluGrad[float32](t, ys)
	testReluGrad[float64](t, ys)
}

func testReluGrad[T Float](t *testing.T, ys []float64) {
	y := make([]T, len(ys))
	dy := make([]T, len(ys))
	dx := make([]T, len(ys))
	for i, v := range ys {
		y[i] = T(v)
		dy[i] = T(i + 1)
		dx[i] = 0.25
	}
	reluGrad(dx, y, dy)
	for i, v := range y {
		want := T(0.25)
		if !(v <= 0) {
			want += dy[i]
		}
		if dx[i] != want {
			t.Errorf("%T: y = %v: dx = %v, want %v", v, v, dx[i], want)
		}
	}
}

// TestSumRows: the vectorized bias gradient equals the plain loop bit for
// bit.
func TestSumRows(t *testing.T) {
	rng := tensor.NewRand(1)
	for _, cols := range []int{1, 7, 16, 33, 512} {
		m := tensor.New[float32](5, cols)
		m.RandN(rng, 0, 1)
		got, want := make([]float32, cols), make([]float32, cols)
		for j := range got {
			got[j] = float32(j)
			want[j] = float32(j)
		}
		sumRows(got, m.Data(), 5, cols)
		for r := range 5 {
			for j := range want {
				want[j] += m.Data()[r*cols+j]
			}
		}
		for j := range want {
			if got[j] != want[j] {
				t.Fatalf("cols %d: d[%d] = %v, want %v", cols, j, got[j], want[j])
			}
		}
	}
}
