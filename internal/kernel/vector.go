package kernel

import "fmt"

// Element-wise loops over slices. The generic function's loop is the
// specification: each product or sum is rounded to T before the next
// operation (the explicit T(...) conversions forbid the compiler to fuse a
// multiply-add), and the float32 assembly performs the same operations in
// the same order, so it matches the spec bit for bit.

// Axpy computes y[i] += alpha*x[i], the product rounded before the sum:
//
//	for i := range y { y[i] += T(alpha * x[i]) }
//
// It panics if x and y differ in length.
func Axpy[T Float](alpha T, x, y []T) {
	if len(x) != len(y) {
		badLengths("Axpy", "x", len(x), "y", len(y))
	}
	if isFloat32(alpha) {
		axpy32(float32(alpha), as32(x), as32(y))
		return
	}
	axpySpec(alpha, x, y)
}

// Add computes dst[i] = x[i] + y[i]. dst may be x or y. It panics if the
// lengths differ.
func Add[T Float](dst, x, y []T) {
	checkTernary("Add", dst, x, y)
	if isFloat32(T(0)) {
		add32(as32(dst), as32(x), as32(y))
		return
	}
	addSpec(dst, x, y)
}

// Mul computes dst[i] = x[i] * y[i]. dst may be x or y. It panics if the
// lengths differ.
func Mul[T Float](dst, x, y []T) {
	checkTernary("Mul", dst, x, y)
	if isFloat32(T(0)) {
		mul32(as32(dst), as32(x), as32(y))
		return
	}
	mulSpec(dst, x, y)
}

func axpySpec[T Float](alpha T, x, y []T) {
	x = x[:len(y)]
	for i := range y {
		y[i] += T(alpha * x[i])
	}
}

func addSpec[T Float](dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}

func mulSpec[T Float](dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] * y[i]
	}
}

func isFloat32[T Float](x T) bool {
	var f float32
	return sizeof(x) == sizeof(f)
}

func checkTernary[T Float](op string, dst, x, y []T) {
	if len(x) != len(dst) {
		badLengths(op, "x", len(x), "dst", len(dst))
	}
	if len(y) != len(dst) {
		badLengths(op, "y", len(y), "dst", len(dst))
	}
}

//go:noinline
func badLengths(op, a string, la int, b string, lb int) {
	panic(fmt.Sprintf("kernel: %s: len(%s)=%d differs from len(%s)=%d", op, a, la, b, lb))
}

// Zero sets every element of x to zero. Long arrays (a layer's gradient)
// are cleared by the workers in the blocks the optimizer steps use, so
// that each core's block of a gradient is in its own cache when the
// backward pass accumulates into it.
func Zero[T Float](x []T) {
	if parts, chunk := stepSplit(len(x)); parts > 1 && isFloat32(T(0)) && acquire() != nil {
		defer release()
		zero32 = zeroJob{x: as32(x), chunk: chunk}
		runParts(&zero32, parts)
		zero32 = zeroJob{}
		return
	}
	clear(x)
}

// zeroJob is a parallel Zero; zero32 is the call in progress, guarded by
// poolMu.
type zeroJob struct {
	x     []float32
	chunk int
}

var zero32 zeroJob

func (j *zeroJob) run(_ *packBuf, part int) {
	if lo, hi, ok := partRange(part, j.chunk, len(j.x)); ok {
		clear(j.x[lo:hi])
	}
}
