package autograd

import (
	"math"
	"unsafe"

	"github.com/descent-ml/descent/internal/kernel"
)

// Hot loops of the training step's backward pass, written to run without
// branches that depend on the data: on activations, whose signs are
// random, a data-dependent branch mispredicts half the time.

// reluGrad accumulates dx += dy where y > 0, else 0, for y = relu(x): the
// gradient passes where the output is not 0 (a NaN output lets it through,
// as PyTorch's threshold_backward does). ReLU's output is +0 or positive
// or NaN, so "not 0" is a test on the magnitude's bits, turned into a mask
// without a branch.
func reluGrad[T Float](dx, y, dy []T) {
	y, dy = y[:len(dx)], dy[:len(dx)]
	var z T
	if unsafe.Sizeof(z) == 4 {
		dx, y, dy := as32(dx), as32(y), as32(dy)
		for i, v := range y {
			keep := uint32(-int32(math.Float32bits(v)&0x7fffffff) >> 31)
			dx[i] += math.Float32frombits(math.Float32bits(dy[i]) & keep)
		}
		return
	}
	dx64, y64, dy64 := as64(dx), as64(y), as64(dy)
	for i, v := range y64 {
		keep := uint64(-int64(math.Float64bits(v)&0x7fffffffffffffff) >> 63)
		dx64[i] += math.Float64frombits(math.Float64bits(dy64[i]) & keep)
	}
}

// sumRows accumulates the rows of the rows×cols matrix m into d (the
// bias gradient of Linear), row after row in order, so the sums are the
// plain loop's, bit for bit; each row is one vectorized kernel.Add.
func sumRows[T Float](d, m []T, rows, cols int) {
	for r := range rows {
		kernel.Add(d, d, m[r*cols:(r+1)*cols])
	}
}

func as32[T Float](x []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

func as64[T Float](x []T) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}
