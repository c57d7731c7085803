package tensor

import (
	"math"

	"github.com/descent-ml/descent/internal/kernel"
)

// Scale computes dst = c * src element-wise. dst may alias src.
func Scale[T Float](dst, src *Tensor[T], c T) {
	checkShape("Scale", dst, src.Shape())
	d := dst.data
	for i, v := range src.data[:len(d)] {
		d[i] = c * v
	}
}

// ReLU computes dst = max(0, src) element-wise. dst may alias src.
// NaN propagates, as in torch.relu. kernel.ReLU is the loop: branch-free
// (on pre-activations, whose signs are random, a branch mispredicts half
// the time) and AVX2 for float32.
func ReLU[T Float](dst, src *Tensor[T]) {
	checkShape("ReLU", dst, src.Shape())
	kernel.ReLU(dst.data, src.data[:len(dst.data)])
}

// The functions below compute element-wise maps dst = f(src). dst must have
// src's shape and may alias src. Transcendental functions are evaluated in
// float64 and rounded to T, so float32 results are correctly rounded up to
// the accuracy of package math. Each is a plain loop over the slices (no
// function values per element) because they run on every activation of
// every training step.

// Exp computes dst = eˣ.
func Exp[T Float](dst, src *Tensor[T]) {
	checkShape("Exp", dst, src.Shape())
	d := dst.data
	for i, v := range src.data[:len(d)] {
		d[i] = T(math.Exp(float64(v)))
	}
}

// Log computes dst = ln x (NaN for x < 0, -Inf at 0, as in torch.log).
func Log[T Float](dst, src *Tensor[T]) {
	checkShape("Log", dst, src.Shape())
	d := dst.data
	for i, v := range src.data[:len(d)] {
		d[i] = T(math.Log(float64(v)))
	}
}

// Sqrt computes dst = √x (NaN for x < 0).
func Sqrt[T Float](dst, src *Tensor[T]) {
	checkShape("Sqrt", dst, src.Shape())
	d := dst.data
	for i, v := range src.data[:len(d)] {
		d[i] = T(math.Sqrt(float64(v)))
	}
}

// Abs computes dst = |x|.
func Abs[T Float](dst, src *Tensor[T]) {
	checkShape("Abs", dst, src.Shape())
	d := dst.data
	for i, v := range src.data[:len(d)] {
		d[i] = max(v, -v) // branch-free (see ReLU); max(-0, +0) = +0
	}
}

// Neg computes dst = -x.
func Neg[T Float](dst, src *Tensor[T]) {
	checkShape("Neg", dst, src.Shape())
	d := dst.data
	for i, v := range src.data[:len(d)] {
		d[i] = -v
	}
}

// Tanh computes dst = tanh x.
func Tanh[T Float](dst, src *Tensor[T]) {
	checkShape("Tanh", dst, src.Shape())
	d := dst.data
	for i, v := range src.data[:len(d)] {
		d[i] = T(math.Tanh(float64(v)))
	}
}

// Sigmoid computes dst = 1/(1+e⁻ˣ). It never overflows: for x < 0 it uses
// the equal form eˣ/(1+eˣ), so e⁻ˣ is never formed for large negative x,
// and the result tends to 0 or 1 without NaN.
func Sigmoid[T Float](dst, src *Tensor[T]) {
	checkShape("Sigmoid", dst, src.Shape())
	d := dst.data
	for i, v := range src.data[:len(d)] {
		d[i] = T(sigmoid(float64(v)))
	}
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// LeakyReLU computes dst = x for x > 0 and slope·x otherwise
// (torch.nn.functional.leaky_relu; PyTorch's default slope is 0.01).
func LeakyReLU[T Float](dst, src *Tensor[T], slope T) {
	checkShape("LeakyReLU", dst, src.Shape())
	d := dst.data
	for i, v := range src.data[:len(d)] {
		d[i] = max(v, 0) + slope*min(v, 0) // branch-free (see ReLU); exact, one term is 0
	}
}

// GELU computes the exact Gaussian error linear unit dst = x·Φ(x) =
// x/2·(1 + erf(x/√2)), torch's default (approximate='none'), not the tanh
// approximation.
func GELU[T Float](dst, src *Tensor[T]) {
	checkShape("GELU", dst, src.Shape())
	d := dst.data
	for i, v := range src.data[:len(d)] {
		x := float64(v)
		d[i] = T(0.5 * x * (1 + math.Erf(x*invSqrt2)))
	}
}

// Pow computes dst = xᵖ, with math.Pow's special cases (a negative x with
// a non-integer p gives NaN, as in torch.pow). The exponents that PyTorch
// special-cases (2, 3, 0.5, -0.5, -1, -2) take the same fast paths here,
// which are also 10-100x faster than math.Pow.
func Pow[T Float](dst, src *Tensor[T], p T) {
	checkShape("Pow", dst, src.Shape())
	d := dst.data
	s := src.data[:len(d)]
	switch p {
	case 1:
		copy(d, s)
	case 2:
		for i, v := range s {
			d[i] = v * v
		}
	case 3:
		for i, v := range s {
			d[i] = v * v * v
		}
	case -1:
		for i, v := range s {
			d[i] = 1 / v
		}
	case -2:
		for i, v := range s {
			d[i] = 1 / (v * v)
		}
	case 0.5:
		for i, v := range s {
			d[i] = T(math.Sqrt(float64(v)))
		}
	case -0.5:
		for i, v := range s {
			d[i] = T(1 / math.Sqrt(float64(v)))
		}
	default:
		pf := float64(p)
		for i, v := range s {
			d[i] = T(math.Pow(float64(v), pf))
		}
	}
}

// AddScalar computes dst = x + c.
func AddScalar[T Float](dst, src *Tensor[T], c T) {
	checkShape("AddScalar", dst, src.Shape())
	d := dst.data
	for i, v := range src.data[:len(d)] {
		d[i] = v + c
	}
}

// MulScalar computes dst = c·x; it is Scale under the name autograd uses.
func MulScalar[T Float](dst, src *Tensor[T], c T) { Scale(dst, src, c) }

const invSqrt2 = 1 / math.Sqrt2
