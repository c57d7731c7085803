package tensor_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/descent-ml/descent/tensor"
)

// poolCase is one pooling geometry: input [n, c, h, w], a k×k window.
type poolCase struct {
	n, c, h, w, k, stride, pad int
}

var poolCases = []poolCase{
	{2, 3, 6, 6, 2, 2, 0},   // the CNN's 2×2 pooling
	{1, 2, 7, 5, 2, 2, 0},   // odd sizes drop the last row and column
	{2, 2, 7, 9, 3, 2, 1},   // windows hang over the padding
	{1, 3, 5, 6, 3, 1, 1},   // overlapping windows
	{2, 1, 9, 7, 5, 3, 2},   // padding of half the kernel
	{1, 2, 4, 4, 1, 1, 0},   // identity
	{3, 4, 26, 26, 2, 2, 0}, // the CNN's first pooling, small batch
}

// naivePool is the definition of pooling by direct loops over each window
// in the padded input: the max (padding is -∞, first maximum wins) or the
// mean with the padding counted in the divisor. It returns the output and
// the gradient of L = Σ dy⊙y with respect to x.
func naivePool(tc poolCase, x, dy []float64, isMax bool) (y, dx []float64) {
	oh := (tc.h+2*tc.pad-tc.k)/tc.stride + 1
	ow := (tc.w+2*tc.pad-tc.k)/tc.stride + 1
	y, dx = make([]float64, tc.n*tc.c*oh*ow), make([]float64, len(x))
	for p := range tc.n * tc.c {
		for r := range oh {
			for q := range ow {
				yi := (p*oh+r)*ow + q
				best, at, sum := math.Inf(-1), -1, 0.0
				for i := range tc.k {
					for j := range tc.k {
						ih, iw := r*tc.stride+i-tc.pad, q*tc.stride+j-tc.pad
						if ih < 0 || ih >= tc.h || iw < 0 || iw >= tc.w {
							continue
						}
						xi := (p*tc.h+ih)*tc.w + iw
						sum += x[xi]
						if x[xi] > best {
							best, at = x[xi], xi
						}
					}
				}
				if isMax {
					y[yi] = best
					dx[at] += dy[yi]
					continue
				}
				y[yi] = sum / float64(tc.k*tc.k)
				for i := range tc.k {
					for j := range tc.k {
						ih, iw := r*tc.stride+i-tc.pad, q*tc.stride+j-tc.pad
						if ih >= 0 && ih < tc.h && iw >= 0 && iw < tc.w {
							dx[(p*tc.h+ih)*tc.w+iw] += dy[yi] / float64(tc.k*tc.k)
						}
					}
				}
			}
		}
	}
	return y, dx
}

func TestPool2dMatchesNaive(t *testing.T) {
	for i, tc := range poolCases {
		for _, isMax := range []bool{true, false} {
			name := fmt.Sprintf("%v/max=%v", tc, isMax)
			x := randTensor(uint64(i)+1, tc.n, tc.c, tc.h, tc.w)
			shape, err := tensor.Pool2dShape(x.Shape(), tc.k, tc.stride, tc.pad)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			dy := randTensor(uint64(i)+50, shape[:]...)
			wantY, wantDx := naivePool(tc, x.Data(), dy.Data(), isMax)
			y, dx := tensor.New[float64](shape[:]...), tensor.New[float64](x.Shape()...)
			dx.Fill(1) // gradients accumulate
			if isMax {
				var argmax tensor.Tensor[float64]
				tensor.MaxPool2d(y, x, &argmax, tc.k, tc.stride, tc.pad)
				tensor.MaxPool2dBackward(dx, dy, &argmax, tc.k, tc.stride, tc.pad)
			} else {
				tensor.AvgPool2d(y, x, tc.k, tc.stride, tc.pad)
				tensor.AvgPool2dBackward(dx, dy, tc.k, tc.stride, tc.pad)
			}
			for k := range dx.Data() {
				dx.Data()[k]--
			}
			if d := maxDiff(y.Data(), wantY); d > 1e-12 {
				t.Errorf("%s: output differs from the direct loop by %g", name, d)
			}
			if d := maxDiff(dx.Data(), wantDx); d > 1e-12 {
				t.Errorf("%s: input gradient differs from the direct loop by %g", name, d)
			}
		}
	}
}

// TestMaxPoolTiesAndNaN pins PyTorch's choices: the first maximum of a
// window gets the gradient, and a NaN wins over numbers.
func TestMaxPoolTiesAndNaN(t *testing.T) {
	for _, tc := range []struct {
		name      string
		k, stride int
		x         []float32
		wantY     float32
		wantAt    float32
	}{
		{"tie 2x2", 2, 2, []float32{1, 5, 5, 5}, 5, 1},
		{"NaN 2x2", 2, 2, []float32{1, float32(math.NaN()), 7, 2}, float32(math.NaN()), 1},
		{"two NaNs 2x2: the last wins", 2, 2, []float32{float32(math.NaN()), 1, float32(math.NaN()), 2}, float32(math.NaN()), 2},
		{"tie generic", 2, 1, []float32{3, 3, 1, 3}, 3, 0},
		{"-inf only", 2, 1, []float32{float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1))}, float32(math.Inf(-1)), 0},
	} {
		x := tensor.FromSlice(tc.x, 1, 1, 2, 2)
		y := tensor.New[float32](1, 1, 1, 1)
		var argmax tensor.Tensor[float32]
		tensor.MaxPool2d(y, x, &argmax, tc.k, tc.stride, 0)
		got := y.Data()[0]
		sameY := got == tc.wantY || got != got && tc.wantY != tc.wantY
		if !sameY || argmax.Data()[0] != tc.wantAt {
			t.Errorf("%s: max %v at %v, want %v at %v", tc.name, got, argmax.Data()[0], tc.wantY, tc.wantAt)
		}
	}
}

func TestPoolShapeErrors(t *testing.T) {
	for _, tc := range []struct {
		x              []int
		k, stride, pad int
		want           string
	}{
		{[]int{1, 4, 4}, 2, 2, 0, "[N, C, H, W]"},
		{[]int{1, 1, 4, 4}, 2, 2, 2, "half the kernel"},
		{[]int{1, 1, 1, 4}, 2, 2, 0, "larger than the padded input"},
		{[]int{1, 1, 4, 4}, 0, 2, 0, "kernel size"},
		{[]int{1, 1, 4, 4}, 2, 0, 0, "stride"},
	} {
		if _, err := tensor.Pool2dShape(tc.x, tc.k, tc.stride, tc.pad); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Pool2dShape(%v, %d, %d, %d) error = %v, want one mentioning %q", tc.x, tc.k, tc.stride, tc.pad, err, tc.want)
		}
	}
}

// ExampleMaxPool2d pools a 4×4 image with 2×2 windows; argmax records
// where in each window the maximum was (row-major, 0..3).
func ExampleMaxPool2d() {
	x := tensor.FromSlice([]float32{
		1, 2, 0, 9,
		3, 4, 8, 0,
		0, 0, 1, 1,
		6, 0, 1, 1}, 1, 1, 4, 4)
	y := tensor.New[float32](1, 1, 2, 2)
	var argmax tensor.Tensor[float32]
	tensor.MaxPool2d(y, x, &argmax, 2, 2, 0)
	fmt.Println(y.Data(), argmax.Data())
	// Output: [4 9 6 1] [3 1 2 0]
}

// ExampleAvgPool2d averages 3×3 windows with padding 1 and stride 2: zeros
// from the padding count in the divisor, as in PyTorch's default.
func ExampleAvgPool2d() {
	x := tensor.FromSlice([]float64{
		9, 9, 9,
		9, 9, 9,
		9, 9, 9}, 1, 1, 3, 3)
	y := tensor.New[float64](1, 1, 2, 2)
	tensor.AvgPool2d(y, x, 3, 2, 1)
	fmt.Println(y.Data())
	// Output: [4 4 4 4]
}

// BenchmarkMaxPool2d pools the CNN's first feature map (batch 64, 32×26×26)
// with 2×2 windows, forward and backward.
func BenchmarkMaxPool2d(b *testing.B) {
	x := tensor.New[float32](64, 32, 26, 26)
	x.RandN(tensor.NewRand(1), 0, 1)
	y, dx := tensor.New[float32](64, 32, 13, 13), tensor.New[float32](64, 32, 26, 26)
	var argmax tensor.Tensor[float32]
	for b.Loop() {
		tensor.MaxPool2d(y, x, &argmax, 2, 2, 0)
		tensor.MaxPool2dBackward(dx, y, &argmax, 2, 2, 0)
	}
	b.ReportMetric(float64(x.Len()*b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
}
