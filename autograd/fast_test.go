package autograd

import (
	"math"
	"testing"

	"github.com/descent-ml/descent/internal/kernel"
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
// bit, also when a large matrix is split by columns over two threads.
func TestSumRows(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	rng := tensor.NewRand(1)
	for _, threads := range []int{1, 2} {
		kernel.SetThreads(threads)
		for _, c := range []struct{ rows, cols int }{{5, 1}, {5, 7}, {5, 16}, {5, 33}, {5, 512}, {200, 600}, {130, 515}, {2000, 65}} {
			rows, cols := c.rows, c.cols
			m := tensor.New[float32](rows, cols)
			m.RandN(rng, 0, 1)
			got, want := make([]float32, cols), make([]float32, cols)
			for j := range got {
				got[j] = float32(j)
				want[j] = float32(j)
			}
			sumRows(got, m.Data(), rows, cols)
			for r := range rows {
				for j := range want {
					want[j] += m.Data()[r*cols+j]
				}
			}
			for j := range want {
				if got[j] != want[j] {
					t.Fatalf("%d threads, %d×%d: d[%d] = %v, want %v", threads, rows, cols, j, got[j], want[j])
				}
			}
		}
	}
}
