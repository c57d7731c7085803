package tensor

import "math"

// Softmax computes dst = exp(x) / Σ exp(x) along axis (negative counts from
// the end). dst has src's shape and may alias it.
//
// It is stable for any finite input: each slice's maximum m is subtracted
// before exponentiating, since softmax(x) = softmax(x - m), so exp never
// overflows and at least one term of the sum is 1. Sums run in float64.
func Softmax[T Float](dst, src *Tensor[T], axis int) {
	checkShape("Softmax", dst, src.Shape())
	outer, n, inner := AxisSplit(src.Shape(), axis)
	if n == 0 {
		return
	}
	if inner == 1 {
		for o := range outer {
			softmaxRow(dst.data[o*n:(o+1)*n], src.data[o*n:(o+1)*n])
		}
		return
	}
	for o := range outer {
		for i := range inner {
			base := o*n*inner + i
			x := src.data[base : base+(n-1)*inner+1]
			y := dst.data[base : base+(n-1)*inner+1]
			m := float64(x[argmax(x, inner)*inner])
			var s float64
			for k := 0; k < len(x); k += inner {
				e := math.Exp(float64(x[k]) - m)
				y[k] = T(e)
				s += e
			}
			inv := 1 / s
			for k := 0; k < len(y); k += inner {
				y[k] = T(float64(y[k]) * inv)
			}
		}
	}
}

func softmaxRow[T Float](y, x []T) {
	m := float64(x[argmax(x, 1)])
	var s float64
	for k, v := range x {
		e := math.Exp(float64(v) - m)
		y[k] = T(e)
		s += e
	}
	inv := 1 / s
	for k, v := range y {
		y[k] = T(float64(v) * inv)
	}
}

// LogSoftmax computes dst = x - log Σ exp(x) along axis (negative counts
// from the end). dst has src's shape and may alias it.
//
// It is stable for any finite input, and more accurate than log(softmax(x)):
// with m the slice's maximum it computes x - m - log Σ exp(x - m), where
// the sum is at least 1, so neither exp overflows nor log sees 0 (which
// would give -Inf for a logit far below the others).
func LogSoftmax[T Float](dst, src *Tensor[T], axis int) {
	checkShape("LogSoftmax", dst, src.Shape())
	outer, n, inner := AxisSplit(src.Shape(), axis)
	if n == 0 {
		return
	}
	for o := range outer {
		for i := range inner {
			base := o*n*inner + i
			x := src.data[base : base+(n-1)*inner+1]
			y := dst.data[base : base+(n-1)*inner+1]
			m := float64(x[argmax(x, inner)*inner])
			var s float64
			if inner == 1 {
				for _, v := range x {
					s += math.Exp(float64(v) - m)
				}
			} else {
				for k := 0; k < len(x); k += inner {
					s += math.Exp(float64(x[k]) - m)
				}
			}
			logZ := m + math.Log(s)
			for k := 0; k < len(x); k += inner {
				y[k] = T(float64(x[k]) - logZ)
			}
		}
	}
}
