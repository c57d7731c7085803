package tensor_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/descent-ml/descent/tensor"
)

// convCase is one convolution geometry: input [n, c, h, w], o output
// channels, a k×k kernel.
type convCase struct {
	n, c, h, w, o, k, stride, pad int
}

func (tc convCase) String() string {
	return fmt.Sprintf("x%dx%dx%dx%d_o%d_k%d_s%d_p%d", tc.n, tc.c, tc.h, tc.w, tc.o, tc.k, tc.stride, tc.pad)
}

// convCases covers odd sizes, non-square inputs, stride 1 and 2, padding
// 0, 1 and 2 and kernels 1, 3 and 5, plus the two layers of the CNN at a
// small batch. The benchmark uses the last two at batch 64.
var convCases = []convCase{
	{1, 1, 5, 5, 1, 3, 1, 0},
	{2, 3, 7, 5, 4, 3, 1, 1},
	{3, 2, 9, 11, 5, 3, 2, 0},
	{2, 3, 8, 7, 2, 3, 2, 1},
	{1, 4, 6, 9, 3, 1, 1, 0},
	{2, 2, 5, 6, 3, 1, 2, 2},
	{2, 3, 4, 5, 2, 1, 1, 1},
	{2, 1, 9, 8, 12, 3, 1, 1}, // fewer rows than output channels: im2col at stride 1
	{2, 2, 6, 7, 3, 1, 1, 0},  // 1×1: the image is its own column matrix
	{2, 3, 9, 9, 2, 5, 1, 2},
	{1, 2, 11, 8, 3, 5, 2, 2},
	{2, 1, 3, 3, 2, 5, 1, 2},
	{37, 2, 5, 6, 3, 3, 1, 1}, // more images than gradient chunks, unevenly split
	{3, 1, 28, 28, 8, 3, 1, 0},
	{2, 8, 13, 13, 16, 3, 1, 0},
}

// naiveConv is the definition of Conv2d as a direct loop:
// y[n,o,oh,ow] = b[o] + Σ w[o,c,i,j]·x[n,c,oh·s+i-p,ow·s+j-p].
// It also returns the gradients of L = Σ dy⊙y by the same loop.
func naiveConv(tc convCase, x, w, b, dy []float64) (y, dx, dw, db []float64) {
	oh := (tc.h+2*tc.pad-tc.k)/tc.stride + 1
	ow := (tc.w+2*tc.pad-tc.k)/tc.stride + 1
	y = make([]float64, tc.n*tc.o*oh*ow)
	dx, dw, db = make([]float64, len(x)), make([]float64, len(w)), make([]float64, tc.o)
	for n := range tc.n {
		for o := range tc.o {
			for r := range oh {
				for q := range ow {
					yi := ((n*tc.o+o)*oh+r)*ow + q
					s := b[o]
					db[o] += dy[yi]
					for c := range tc.c {
						for i := range tc.k {
							for j := range tc.k {
								ih, iw := r*tc.stride+i-tc.pad, q*tc.stride+j-tc.pad
								if ih < 0 || ih >= tc.h || iw < 0 || iw >= tc.w {
									continue
								}
								xi := ((n*tc.c+c)*tc.h+ih)*tc.w + iw
								wi := ((o*tc.c+c)*tc.k+i)*tc.k + j
								s += w[wi] * x[xi]
								dx[xi] += w[wi] * dy[yi]
								dw[wi] += x[xi] * dy[yi]
							}
						}
					}
					y[yi] = s
				}
			}
		}
	}
	return y, dx, dw, db
}

func randTensor(seed uint64, shape ...int) *tensor.Tensor[float64] {
	t := tensor.New[float64](shape...)
	t.RandN(tensor.NewRand(seed), 0, 1)
	return t
}

// poison fills all of t's storage, up to its capacity, with NaN.
func poison(t *tensor.Tensor[float64]) {
	d := t.Data()
	d = d[:cap(d)]
	for i := range d {
		d[i] = math.NaN()
	}
}

func maxDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var m float64
	for i := range a {
		d := math.Abs(a[i] - b[i])
		if d != d {
			return math.Inf(1) // a NaN where the other has a number
		}
		m = max(m, d)
	}
	return m
}

// TestConv2dMatchesNaive compares the im2col + GEMM forward and backward
// passes with the direct loops, in float64.
func TestConv2dMatchesNaive(t *testing.T) {
	for i, tc := range convCases {
		t.Run(tc.String(), func(t *testing.T) {
			seed := uint64(10 * i)
			x := randTensor(seed+1, tc.n, tc.c, tc.h, tc.w)
			w := randTensor(seed+2, tc.o, tc.c, tc.k, tc.k)
			b := randTensor(seed+3, tc.o)
			shape, err := tensor.Conv2dShape(x.Shape(), w.Shape(), tc.stride, tc.pad)
			if err != nil {
				t.Fatal(err)
			}
			dy := randTensor(seed+4, shape[:]...)
			wantY, wantDx, wantDw, wantDb := naiveConv(tc, x.Data(), w.Data(), b.Data(), dy.Data())

			y := tensor.New[float64](shape[:]...)
			dx, dw, db := tensor.New[float64](x.Shape()...), tensor.New[float64](w.Shape()...), tensor.New[float64](tc.o)
			// Size the scratch, then fill it with NaN before each call: no
			// result may depend on what the scratch held.
			var work tensor.Tensor[float64]
			tensor.Conv2dBackward(dx, dw, db, dy, x, w, &work, tc.stride, tc.pad)
			poison(&work)
			tensor.Conv2d(y, x, w, b, &work, tc.stride, tc.pad)
			poison(&work)
			// Gradients accumulate: start from 1 and subtract it afterwards.
			for _, g := range []*tensor.Tensor[float64]{dx, dw, db} {
				g.Fill(1)
			}
			tensor.Conv2dBackward(dx, dw, db, dy, x, w, &work, tc.stride, tc.pad)
			for _, g := range []*tensor.Tensor[float64]{dx, dw, db} {
				for k := range g.Data() {
					g.Data()[k]--
				}
			}
			for _, c := range []struct {
				name      string
				got, want []float64
			}{{"y", y.Data(), wantY}, {"dx", dx.Data(), wantDx}, {"dw", dw.Data(), wantDw}, {"db", db.Data(), wantDb}} {
				if d := maxDiff(c.got, c.want); d > 1e-12 {
					t.Errorf("%s differs from the direct loop by %g", c.name, d)
				}
			}
		})
	}
}

// TestCol2ImIsAdjoint checks <Im2Col(x), c> = <x, Col2Im(c)>, the property
// that makes Col2Im the right backward pass for Im2Col.
func TestCol2ImIsAdjoint(t *testing.T) {
	for i, tc := range convCases {
		x := randTensor(uint64(i)+100, tc.n, tc.c, tc.h, tc.w)
		var col tensor.Tensor[float64]
		tensor.Im2Col(&col, x, tc.k, tc.k, tc.stride, tc.pad)
		c := randTensor(uint64(i)+200, col.Shape()...)
		dx := tensor.New[float64](x.Shape()...)
		tensor.Col2Im(dx, c, tc.k, tc.k, tc.stride, tc.pad)
		var lhs, rhs float64
		for k, v := range col.Data() {
			lhs += v * c.Data()[k]
		}
		for k, v := range x.Data() {
			rhs += v * dx.Data()[k]
		}
		if math.Abs(lhs-rhs) > 1e-9*max(1, math.Abs(lhs)) {
			t.Errorf("%v: <Im2Col(x), c> = %v but <x, Col2Im(c)> = %v", tc, lhs, rhs)
		}
	}
}

func TestConvShapeErrors(t *testing.T) {
	for _, tc := range []struct {
		x, w          []int
		stride, pad   int
		wantErrSubstr string
	}{
		{[]int{1, 3, 5, 5}, []int{2, 4, 3, 3}, 1, 0, "channels"},
		{[]int{3, 5, 5}, []int{2, 3, 3, 3}, 1, 0, "[N, C, H, W]"},
		{[]int{1, 3, 5, 5}, []int{2, 3, 3}, 1, 0, "[O, C, kh, kw]"},
		{[]int{1, 3, 2, 5}, []int{2, 3, 3, 3}, 1, 0, "larger than the padded input"},
		{[]int{1, 3, 5, 5}, []int{2, 3, 3, 3}, 0, 0, "stride"},
		{[]int{1, 3, 5, 5}, []int{2, 3, 3, 3}, 1, -1, "padding"},
	} {
		_, err := tensor.Conv2dShape(tc.x, tc.w, tc.stride, tc.pad)
		if err == nil || !strings.Contains(err.Error(), tc.wantErrSubstr) {
			t.Errorf("Conv2dShape(%v, %v, %d, %d) error = %v, want one mentioning %q", tc.x, tc.w, tc.stride, tc.pad, err, tc.wantErrSubstr)
		}
	}
	if s, err := tensor.Conv2dShape([]int{64, 1, 28, 28}, []int{32, 1, 3, 3}, 1, 0); err != nil || s != [4]int{64, 32, 26, 26} {
		t.Errorf("Conv2dShape of the CNN's first layer = %v, %v", s, err)
	}
}

// ExampleConv2d convolves a 3×3 image with a 2×2 kernel that sums each
// window, with padding 0 and stride 1.
func ExampleConv2d() {
	x := tensor.FromSlice([]float32{
		1, 2, 3,
		4, 5, 6,
		7, 8, 9}, 1, 1, 3, 3)
	w := tensor.FromSlice([]float32{1, 1, 1, 1}, 1, 1, 2, 2)
	b := tensor.FromSlice([]float32{100}, 1)
	shape, _ := tensor.Conv2dShape(x.Shape(), w.Shape(), 1, 0)
	y := tensor.New[float32](shape[:]...)
	var work tensor.Tensor[float32]
	tensor.Conv2d(y, x, w, b, &work, 1, 0)
	fmt.Println(y.Shape(), y.Data())
	// Output: [1 1 2 2] [112 116 124 128]
}

// BenchmarkConv2d runs forward and backward (input, weight and bias
// gradients, as for a hidden layer) of the CNN's two convolutions at batch
// 64 in float32, and reports samples per second.
func BenchmarkConv2d(b *testing.B) {
	for _, tc := range []convCase{{64, 1, 28, 28, 32, 3, 1, 0}, {64, 32, 13, 13, 64, 3, 1, 0}} {
		b.Run(tc.String(), func(b *testing.B) {
			rng := tensor.NewRand(1)
			x, w, bias := tensor.New[float32](tc.n, tc.c, tc.h, tc.w), tensor.New[float32](tc.o, tc.c, tc.k, tc.k), tensor.New[float32](tc.o)
			x.RandN(rng, 0, 1)
			w.RandN(rng, 0, 0.1)
			shape, _ := tensor.Conv2dShape(x.Shape(), w.Shape(), tc.stride, tc.pad)
			y, dy := tensor.New[float32](shape[:]...), tensor.New[float32](shape[:]...)
			dy.RandN(rng, 0, 1)
			dx, dw, db := tensor.New[float32](x.Shape()...), tensor.New[float32](w.Shape()...), tensor.New[float32](tc.o)
			if tc.c == 1 {
				dx = nil // the first layer's input is data: no gradient, as in training
			}
			var work tensor.Tensor[float32]
			for b.Loop() {
				tensor.Conv2d(y, x, w, bias, &work, tc.stride, tc.pad)
				tensor.Conv2dBackward(dx, dw, db, dy, x, w, &work, tc.stride, tc.pad)
			}
			b.ReportMetric(float64(tc.n*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
