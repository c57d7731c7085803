package kernel

import (
	"math"
	"unsafe"
)

// ReLU and its gradient, the element-wise loops that every ReLU network
// runs on each activation of each step. The Go functions are the
// specification; float32 runs in AVX2 assembly on amd64, bit-identical.

// ReLU computes dst[i] = max(x[i], 0), with -0 becoming +0 as in Go's max
// and a NaN passing through with its sign and payload (quieted, as any
// arithmetic does), as torch.relu lets it. dst may be x. It panics if the
// lengths differ:
//
//	for i, v := range x { if v != v { dst[i] = v + 0 } else { dst[i] = max(v, 0) } }
func ReLU[T Float](dst, x []T) {
	if len(x) != len(dst) {
		badLengths("ReLU", "x", len(x), "dst", len(dst))
	}
	if isFloat32(T(0)) {
		relu32(as32(dst), as32(x))
		return
	}
	reluSpec(dst, x)
}

// ReLUGrad accumulates the gradient of y = ReLU(x) into dx: dx[i] += dy[i]
// where y[i] is not zero (positive, +Inf or NaN: PyTorch's
// threshold_backward passes the gradient unless y <= 0), else dx[i] += +0.
// It panics if the lengths differ:
//
//	for i := range dx { if y[i] != 0 { dx[i] += dy[i] } else { dx[i] += 0 } }
func ReLUGrad[T Float](dx, y, dy []T) {
	checkTernary("ReLUGrad", dx, y, dy)
	if isFloat32(T(0)) {
		reluGrad32(as32(dx), as32(y), as32(dy))
		return
	}
	reluGradSpec(dx, y, dy)
}

func reluSpec[T Float](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		if v != v { // Go's max would make every NaN the same positive NaN
			dst[i] = v + 0
			continue
		}
		dst[i] = max(v, 0)
	}
}

// reluGradSpec is written with the sign bit masked off and the gradient's
// bits masked, which is the rule above without a data-dependent branch
// (activations' signs are random, so a branch would mispredict half the
// time): y != 0 exactly when y's magnitude bits are not all zero (NaN
// compares unequal to 0, so it passes).
func reluGradSpec[T Float](dx, y, dy []T) {
	y, dy = y[:len(dx)], dy[:len(dx)]
	if isFloat32(T(0)) {
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

// as64 reinterprets a slice of an 8-byte Float as []float64.
func as64[T Float](x []T) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

// reluJob is a float32 ReLU or ReLUGrad split into chunks of whole
// vectors over the worker pool; relu32Job is the call in progress, guarded
// by poolMu.
type reluJob struct {
	dst, x, dy []float32 // ReLUGrad: dst is dx, x is y
	grad       bool
	chunk      int
}

var relu32Job reluJob

func (j *reluJob) run(_ *packBuf, part int) {
	lo, hi, ok := partRange(part, j.chunk, len(j.dst))
	if !ok {
		return
	}
	if j.grad {
		reluGrad32Serial(j.dst[lo:hi], j.x[lo:hi], j.dy[lo:hi])
	} else {
		relu32Serial(j.dst[lo:hi], j.x[lo:hi])
	}
}

// minParallelReLU is the length from which ReLU and ReLUGrad split over the
// workers (a hidden layer of 512 units at batch 128 is 64k floats). The
// split gained ~1% on the 2-thread MLP step and 9% on the CNN step, whose
// activations are 1.4M floats (interleaved A/B in one process).
const minParallelReLU = 1 << 14

// parallelReLU runs j over Threads() goroutines if it is long and the
// workers are free, and reports whether it did.
func parallelReLU(j reluJob) bool {
	parts := min(Threads(), len(j.dst)/minParallelReLU)
	if parts < 2 || acquire() == nil {
		return false
	}
	defer release()
	j.chunk = ((len(j.dst)+parts-1)/parts + 63) &^ 63
	relu32Job = j
	runParts(&relu32Job, parts)
	relu32Job = reluJob{}
	return true
}

func relu32(dst, x []float32) {
	if !parallelReLU(reluJob{dst: dst, x: x}) {
		relu32Serial(dst, x)
	}
}

func reluGrad32(dx, y, dy []float32) {
	if !parallelReLU(reluJob{dst: dx, x: y, dy: dy, grad: true}) {
		reluGrad32Serial(dx, y, dy)
	}
}
