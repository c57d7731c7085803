package tensor

import (
	"slices"
	"testing"
)

// TestConvDeterministicAcrossParts runs convolution and pooling, forward
// and backward, with the work split into 1, 2, 3 and 5 parts: the results
// must be bit-identical, because every output element is computed by one
// goroutine in a fixed order.
func TestConvDeterministicAcrossParts(t *testing.T) {
	defer func(p int) { loopParts = p }(loopParts)
	rng := NewRand(3)
	x, w, b := New[float32](37, 4, 15, 13), New[float32](6, 4, 3, 3), New[float32](6)
	for _, v := range []*Tensor[float32]{x, w, b} {
		v.RandN(rng, 0, 1)
	}
	run := func(stride int) [][]float32 {
		shape, _ := Conv2dShape(x.Shape(), w.Shape(), stride, 1)
		y, dy := New[float32](shape[:]...), New[float32](shape[:]...)
		dy.RandN(NewRand(4), 0, 1)
		dx, dw, db := New[float32](x.Shape()...), New[float32](w.Shape()...), New[float32](6)
		var work, argmax Tensor[float32]
		Conv2d(y, x, w, b, &work, stride, 1)
		Conv2dBackward(dx, dw, db, dy, x, w, &work, stride, 1)
		ps, _ := Pool2dShape(x.Shape(), 3, 2, 1)
		mp, ap := New[float32](ps[:]...), New[float32](ps[:]...)
		MaxPool2d(mp, x, &argmax, 3, 2, 1)
		AvgPool2d(ap, x, 3, 2, 1)
		dmp, dap := New[float32](x.Shape()...), New[float32](x.Shape()...)
		MaxPool2dBackward(dmp, mp, &argmax, 3, 2, 1)
		AvgPool2dBackward(dap, ap, 3, 2, 1)
		return [][]float32{y.data, dx.data, dw.data, db.data, mp.data, ap.data, dmp.data, dap.data}
	}
	for _, stride := range []int{1, 2} { // the wrapped layout and im2col
		loopParts = 1
		want := run(stride)
		for _, parts := range []int{2, 3, 5} {
			loopParts = parts
			for k, got := range run(stride) {
				if !slices.Equal(got, want[k]) {
					t.Errorf("stride %d: result %d with %d parts differs from the serial result", stride, k, parts)
				}
			}
		}
	}
}
