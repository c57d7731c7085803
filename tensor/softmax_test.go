package tensor

import (
	"fmt"
	"math"
	"testing"
)

func TestSoftmaxValues(t *testing.T) {
	// Rows of [2, 3]: softmax([0, ln 2, ln 5]) = [1, 2, 5]/8 exactly in
	// exact arithmetic; a shift by a constant must not change the answer.
	in := []float64{0, math.Ln2, math.Log(5), 100, 100 + math.Ln2, 100 + math.Log(5)}
	want := []float64{1. / 8, 2. / 8, 5. / 8, 1. / 8, 2. / 8, 5. / 8}
	x := FromSlice(in, 2, 3)
	for _, axis := range []int{1, -1} {
		y, ly := New[float64](2, 3), New[float64](2, 3)
		Softmax(y, x, axis)
		LogSoftmax(ly, x, axis)
		for i, w := range want {
			if !nearly(y.data[i], w, 1e-14) || !nearly(ly.data[i], math.Log(w), 1e-14) {
				t.Errorf("axis %d element %d: softmax %v log-softmax %v, want %v and %v", axis, i, y.data[i], ly.data[i], w, math.Log(w))
			}
		}
	}
}

// TestSoftmaxAxis checks every axis of a 3-D tensor against the definition
// computed directly with At (no max subtraction needed at this scale).
func TestSoftmaxAxis(t *testing.T) {
	x := New[float64](2, 3, 4)
	x.RandN(NewRand(3), 0, 2)
	for axis := range 3 {
		y, ly := New[float64](2, 3, 4), New[float64](2, 3, 4)
		Softmax(y, x, axis)
		LogSoftmax(ly, x, axis)
		for i := range 2 {
			for j := range 3 {
				for k := range 4 {
					idx := []int{i, j, k}
					var s float64
					for m := range x.Dim(axis) {
						jdx := []int{i, j, k}
						jdx[axis] = m
						s += math.Exp(x.At(jdx...))
					}
					w := math.Exp(x.At(idx...)) / s
					if !nearly(y.At(idx...), w, 1e-13) || !nearly(ly.At(idx...), math.Log(w), 1e-13) {
						t.Errorf("axis %d at %v: %v, %v; want %v, %v", axis, idx, y.At(idx...), ly.At(idx...), w, math.Log(w))
					}
				}
			}
		}
	}
}

// TestSoftmaxExtremeLogits: logits of ±1000 overflow a naive exp in both
// float32 and float64; the max-subtracted forms must stay finite and exact.
func TestSoftmaxExtremeLogits(t *testing.T) {
	in := []float32{-1000, 0, 1000, 999, -1000, 1000}
	want := []float64{0, 0, 1, 1 / (1 + math.E), 0, 1 / (1 + math.Exp(-1))}
	l := math.Log1p(math.Exp(-1)) // log(1 + e⁻¹)
	wantLog := []float64{-2000, -1000, 0, -1 - l, -2000 - l, -l}
	x := FromSlice(in, 2, 3)
	y, ly := New[float32](2, 3), New[float32](2, 3)
	Softmax(y, x, 1)
	LogSoftmax(ly, x, 1)
	// The same numbers as the columns of a [3, 2] tensor, reduced over axis
	// 0 (the strided path).
	xt, yt, lyt := New[float32](3, 2), New[float32](3, 2), New[float32](3, 2)
	for i := range 2 {
		for j := range 3 {
			xt.Set(x.At(i, j), j, i)
		}
	}
	Softmax(yt, xt, 0)
	LogSoftmax(lyt, xt, 0)
	for i := range in {
		r, c := i/3, i%3
		for _, got := range [][2]float32{{y.data[i], ly.data[i]}, {yt.At(c, r), lyt.At(c, r)}} {
			if !nearly(float64(got[0]), want[i], 1e-6) || !nearly(float64(got[1]), wantLog[i], 1e-6) {
				t.Errorf("element %d: softmax %v log-softmax %v, want %v and %v", i, got[0], got[1], want[i], wantLog[i])
			}
		}
	}
}

func TestSoftmaxInPlace(t *testing.T) {
	x := New[float32](3, 5)
	x.RandN(NewRand(9), 0, 3)
	y := New[float32](3, 5)
	for _, f := range []func(d, s *Tensor[float32], axis int){Softmax[float32], LogSoftmax[float32]} {
		c := x.Clone()
		f(y, x, 0)
		f(c, c, 0)
		for i := range y.data {
			if y.data[i] != c.data[i] {
				t.Fatalf("in place differs at %d: %v vs %v", i, c.data[i], y.data[i])
			}
		}
	}
}

func ExampleSoftmax() {
	x := FromSlice([]float64{1000, 1000, -1000}, 1, 3) // exp(1000) overflows; softmax does not
	y := New[float64](1, 3)
	Softmax(y, x, -1)
	fmt.Println(y.Data())
	// Output: [0.5 0.5 0]
}

func BenchmarkSoftmax(b *testing.B) {
	x := New[float32](128, 10)
	x.RandN(NewRand(1), 0, 3)
	y := New[float32](128, 10)
	for b.Loop() {
		LogSoftmax(y, x, 1)
	}
}
