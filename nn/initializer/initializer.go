// Package initializer implements weight initialization schemes: every scheme
// of the lecture and of torch.nn.init, with PyTorch's formulas, fans and
// gains. (A Go package cannot be named init.)
//
// One family per file: constant.go (zeros, ones, constant, eye, dirac),
// random.go (uniform, normal, trunc_normal), orthogonal.go, lecun.go,
// xavier.go, kaiming.go (kaiming_uniform, kaiming_normal, torch_default).
// fan.go holds the two helpers every fan-scaled scheme is built on, Fans
// and CalculateGain. Each scheme also states the law of what it draws
// (law.go), so that a draw can be checked against theory.
//
// Schemes draw in float64 from an explicit *rand.Rand and are converted to
// the tensor's element type afterwards, so a float32 model and a float64
// model built from the same seed hold the same values up to rounding.
package initializer

import (
	"math/rand/v2"

	"github.com/descent-ml/descent/tensor"
)

// Initializer fills a tensor with initial values. The tensor's shape gives
// the fans as in PyTorch: [out, in] for a linear weight, [out, in, k...] for
// a convolution kernel.
type Initializer interface {
	// Fill overwrites t with a draw from rng. It returns an error when the
	// scheme does not apply to t's shape (eye on a 3-D tensor, say).
	Fill(t *tensor.Tensor[float64], rng *rand.Rand) error
	// String names the scheme and its settings, e.g. "kaiming_uniform(a=0)".
	String() string
}

// Apply fills t, of any element type, using init: it draws in float64 and
// converts.
func Apply[T tensor.Float](init Initializer, t *tensor.Tensor[T], rng *rand.Rand) error {
	tmp := tensor.New[float64](t.Shape()...)
	if err := init.Fill(tmp, rng); err != nil {
		return err
	}
	d := t.Data()
	for i, v := range tmp.Data() {
		d[i] = T(v)
	}
	return nil
}
