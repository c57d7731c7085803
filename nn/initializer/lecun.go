package initializer

import (
	"math"
	"math/rand/v2"

	"github.com/descent-ml/descent/tensor"
)

// LeCun, Bottou, Orr & Müller, "Efficient BackProp" (1998): weights with
// variance 1/fan_in, so that D(y) = fan_in·D(w)·D(x) = D(x) for a linear
// layer (the lecture's variance lemma). Biases start at 0.

// LeCunUniform draws from U(±sqrt(3/fan_in)), the lecture's form of LeCun's
// rule (Keras' lecun_uniform). Each element has variance 1/fan_in.
type LeCunUniform struct{}

var lecunUniform = fanScaled{std: lecunStd, draw: drawUniform, law: uniformStdLaw, scheme: "lecun_uniform"}

// lecunStd is sqrt(1/fan_in).
func lecunStd(shape []int) (float64, error) {
	in, _, err := Fans(shape)
	return 1 / math.Sqrt(float64(in)), err
}

// Fill draws t from U(±sqrt(3/fan_in)).
func (LeCunUniform) Fill(t *tensor.Tensor[float64], rng *rand.Rand) error {
	return lecunUniform.fill(t, rng)
}

// String returns "lecun_uniform".
func (LeCunUniform) String() string { return "lecun_uniform" }

// Law is U(±sqrt(3/fan_in)).
func (LeCunUniform) Law(shape []int) (Law, error) { return lecunUniform.lawOf(shape) }

// LeCunNormal is Keras' lecun_normal: a zero-mean normal truncated at two
// of its standard deviations, with σ = sqrt(1/fan_in)/0.87962566103423978.
// The constant is the std of a standard normal truncated to [-2, 2], so the
// truncated draw has variance exactly 1/fan_in. (PyTorch has no LeCun
// initializer; this is the Keras definition.)
type LeCunNormal struct{}

// kerasTruncStd is the standard deviation of N(0, 1) truncated to [-2, 2].
const kerasTruncStd = 0.87962566103423978

var lecunNormal = fanScaled{std: lecunStd, scheme: "lecun_normal",
	draw: func(d []float64, rng *rand.Rand, std float64) {
		s := std / kerasTruncStd
		truncNormal(d, rng, 0, s, -2*s, 2*s)
	},
	law: func(std float64) Law {
		s := std / kerasTruncStd
		return truncNormalLaw(0, s, -2*s, 2*s)
	}}

// Fill draws t from the truncated normal.
func (LeCunNormal) Fill(t *tensor.Tensor[float64], rng *rand.Rand) error {
	return lecunNormal.fill(t, rng)
}

// String returns "lecun_normal".
func (LeCunNormal) String() string { return "lecun_normal" }

// Law is the truncated normal, of std sqrt(1/fan_in).
func (LeCunNormal) Law(shape []int) (Law, error) { return lecunNormal.lawOf(shape) }
