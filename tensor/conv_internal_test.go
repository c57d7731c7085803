package tensor

import (
	"slices"
	"testing"

	"github.com/descent-ml/descent/internal/kernel"
)

// TestConvDeterministicAcrossParts runs convolution and pooling, forward
// and backward, with the work split into 1, 2, 3, 5 and 8 parts: the results
// must be bit-identical, because every output element is computed by one
// goroutine in a fixed order. The parts follow kernel.SetThreads.
func TestConvDeterministicAcrossParts(t *testing.T) {
	defer kernel.SetThreads(0)
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
		kernel.SetThreads(1)
		want := run(stride)
		for _, parts := range []int{2, 3, 5, 16} {
			kernel.SetThreads(parts)
			for k, got := range run(stride) {
				if !slices.Equal(got, want[k]) {
					t.Errorf("stride %d: result %d with %d parts differs from the serial result", stride, k, parts)
				}
			}
		}
	}
}

// TestConvLoopsFollowThreads: the convolution sizes its per-part scratch,
// and splits its loops, by kernel.SetThreads (the CLI's --threads), not by
// the number of cores: one thread means one part.
func TestConvLoopsFollowThreads(t *testing.T) {
	defer kernel.SetThreads(0)
	x, w := New[float32](64, 4, 16, 16), New[float32](8, 4, 3, 3)
	shape, _ := Conv2dShape(x.Shape(), w.Shape(), 1, 1)
	y := New[float32](shape[:]...)
	g := mustConv2dGeom("test", x.Shape(), w.Shape(), 1, 1)
	for _, threads := range []int{1, 2, 3, 12} {
		kernel.SetThreads(threads)
		var work Tensor[float32]
		Conv2d(y, x, w, nil, &work, 1, 1)
		if want := min(threads, maxLoopParts) * g.scratchLen(); work.Len() != want {
			t.Errorf("threads %d: scratch of %d elements, want %d (%d parts)", threads, work.Len(), want, min(threads, maxLoopParts))
		}
	}
}
