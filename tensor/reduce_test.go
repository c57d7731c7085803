package tensor

import (
	"fmt"
	"testing"
)

// x234 is [2, 3, 4] holding 0..23, whose reductions are easy to work out:
// element (i, j, k) = 12i + 4j + k.
func x234() *Tensor[float64] {
	x := New[float64](2, 3, 4)
	for i := range x.data {
		x.data[i] = float64(i)
	}
	return x
}

func TestAxisReductions(t *testing.T) {
	cases := []struct {
		axis    int
		keepDim bool
		shape   []int
		sum     []float64 // worked out from 12i + 4j + k
		max     []float64
		argmax  []int
	}{
		// axis 0: (12·0 + r) + (12 + r) = 2r + 12 for r = 4j + k.
		{0, false, []int{3, 4}, []float64{12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34},
			[]float64{12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		// axis 1: Σ_j (12i + 4j + k) = 36i + 12 + 3k.
		{1, true, []int{2, 1, 4}, []float64{12, 15, 18, 21, 48, 51, 54, 57},
			[]float64{8, 9, 10, 11, 20, 21, 22, 23}, []int{2, 2, 2, 2, 2, 2, 2, 2}},
		// axis -1: Σ_k (12i + 4j + k) = 48i + 16j + 6.
		{-1, false, []int{2, 3}, []float64{6, 22, 38, 54, 70, 86},
			[]float64{3, 7, 11, 15, 19, 23}, []int{3, 3, 3, 3, 3, 3}},
		{2, true, []int{2, 3, 1}, []float64{6, 22, 38, 54, 70, 86},
			[]float64{3, 7, 11, 15, 19, 23}, []int{3, 3, 3, 3, 3, 3}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("axis=%d,keep=%v", tc.axis, tc.keepDim), func(t *testing.T) {
			x := x234()
			var shape [MaxDims]int
			nd, err := ReduceShape(&shape, x.Shape(), tc.axis, tc.keepDim)
			if err != nil || !EqualShapes(shape[:nd], tc.shape) {
				t.Fatalf("ReduceShape = %v, %v; want %v", shape[:nd], err, tc.shape)
			}
			_, n, _ := AxisSplit(x.Shape(), tc.axis)
			sum, mean, mx := New[float64](tc.shape...), New[float64](tc.shape...), New[float64](tc.shape...)
			idx := make([]int, mx.Len())
			SumAxis(sum, x, tc.axis)
			MeanAxis(mean, x, tc.axis)
			MaxAxis(mx, x, tc.axis, idx)
			for i := range tc.sum {
				if sum.data[i] != tc.sum[i] || mean.data[i] != tc.sum[i]/float64(n) {
					t.Errorf("element %d: sum %v mean %v, want %v and %v", i, sum.data[i], mean.data[i], tc.sum[i], tc.sum[i]/float64(n))
				}
				if mx.data[i] != tc.max[i] || idx[i] != tc.argmax[i] {
					t.Errorf("element %d: max %v at %d, want %v at %d", i, mx.data[i], idx[i], tc.max[i], tc.argmax[i])
				}
			}
		})
	}
}

func TestReduceShapeBadAxis(t *testing.T) {
	var out [MaxDims]int
	for _, axis := range []int{3, -4} {
		if _, err := ReduceShape(&out, []int{2, 3, 4}, axis, false); err == nil {
			t.Errorf("axis %d of a 3-D shape accepted", axis)
		}
	}
}

func TestMaxTiesAndNaN(t *testing.T) {
	nan := func() float64 { var z float64; return z / z }()
	cases := []struct {
		in   []float64
		want int
	}{
		{[]float64{1, 3, 3, 2}, 1},     // first of the tied maxima, as torch
		{[]float64{-5}, 0},             // single element
		{[]float64{1, nan, 9, nan}, 1}, // the first NaN wins
		{[]float64{nan, 1}, 0},         // also in first place
		{[]float64{-2, -1, -1.5}, 1},   // all negative
	}
	for _, tc := range cases {
		x := FromSlice(tc.in, 1, len(tc.in))
		_, j := Max(x)
		idx := []int{-1}
		ArgMaxRows(x, idx)
		m := New[float64](1)
		k := []int{-1}
		MaxAxis(m, x, 1, k)
		if j != tc.want || idx[0] != tc.want || k[0] != tc.want {
			t.Errorf("argmax %v: Max %d, ArgMaxRows %d, MaxAxis %d; want %d", tc.in, j, idx[0], k[0], tc.want)
		}
	}
}

func TestSumMeanAll(t *testing.T) {
	x := x234()
	if s, m := Sum(x), Mean(x); s != 276 || m != 11.5 { // 0+...+23 = 23·24/2
		t.Errorf("Sum = %v, Mean = %v; want 276, 11.5", s, m)
	}
	// A float32 sum of 2^24+ ones stalls at 2^24 in float32 arithmetic; the
	// float64 accumulator keeps counting.
	if testing.Short() {
		t.Skip("the long float32 sum runs without -short")
	}
	ones := New[float32](1<<24 + 8)
	ones.Fill(1)
	if s := Sum(ones); s != 1<<24+8 {
		t.Errorf("Sum of %d ones = %v", ones.Len(), s)
	}
}

func ExampleArgMaxRows() {
	logits := FromSlice([]float32{
		0.1, 2.0, -1,
		3, 0, 3, // a tie: the first wins
	}, 2, 3)
	pred := make([]int, 2)
	ArgMaxRows(logits, pred)
	fmt.Println(pred)
	// Output: [1 0]
}

func ExampleSumAxis() {
	x := FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	rows := New[float64](2)    // axis 1 dropped
	cols := New[float64](1, 3) // axis 0 kept as 1
	SumAxis(rows, x, 1)
	SumAxis(cols, x, 0)
	fmt.Println(rows.Data(), cols.Data())
	// Output: [6 15] [5 7 9]
}
