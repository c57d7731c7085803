package initializer

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/descent-ml/descent/tensor"
)

// Glorot & Bengio, "Understanding the difficulty of training deep
// feedforward neural networks" (AISTATS 2010): a compromise between keeping
// the forward variance (D(w) = 1/fan_in) and the backward variance
// (D(w) = 1/fan_out): D(w) = 2/(fan_in + fan_out), times gain². Meant for
// symmetric activations (tanh: gain 5/3); a ReLU net halves its variance
// every layer with it.

// xavierStd is gain·sqrt(2/(fan_in + fan_out)).
func xavierStd(scheme string, gain float64) func([]int) (float64, error) {
	return func(shape []int) (float64, error) {
		if err := checkGain(scheme, gain); err != nil {
			return 0, err
		}
		in, out, err := Fans(shape)
		return gain * math.Sqrt(2/float64(in+out)), err
	}
}

// XavierUniform draws from U(±gain·sqrt(6/(fan_in + fan_out)))
// (torch.nn.init.xavier_uniform_). Gain must be positive; PyTorch's
// default is 1.
type XavierUniform struct {
	Gain float64 `kv:"gain"`
}

func (x XavierUniform) scaled() fanScaled {
	return fanScaled{std: xavierStd("xavier_uniform", x.Gain), draw: drawUniform, law: uniformStdLaw, scheme: "xavier_uniform"}
}

// Fill draws t.
func (x XavierUniform) Fill(t *tensor.Tensor[float64], rng *rand.Rand) error {
	return x.scaled().fill(t, rng)
}

// String returns "xavier_uniform(gain=G)".
func (x XavierUniform) String() string { return fmt.Sprintf("xavier_uniform(gain=%g)", x.Gain) }

// Law is the uniform law with std gain·sqrt(2/(fan_in + fan_out)).
func (x XavierUniform) Law(shape []int) (Law, error) { return x.scaled().lawOf(shape) }

// XavierNormal draws from N(0, gain²·2/(fan_in + fan_out))
// (torch.nn.init.xavier_normal_). Gain must be positive; PyTorch's default
// is 1.
type XavierNormal struct {
	Gain float64 `kv:"gain"`
}

func (x XavierNormal) scaled() fanScaled {
	return fanScaled{std: xavierStd("xavier_normal", x.Gain), draw: drawNormal, law: normalStdLaw, scheme: "xavier_normal"}
}

// Fill draws t.
func (x XavierNormal) Fill(t *tensor.Tensor[float64], rng *rand.Rand) error {
	return x.scaled().fill(t, rng)
}

// String returns "xavier_normal(gain=G)".
func (x XavierNormal) String() string { return fmt.Sprintf("xavier_normal(gain=%g)", x.Gain) }

// Law is N(0, gain²·2/(fan_in + fan_out)).
func (x XavierNormal) Law(shape []int) (Law, error) { return x.scaled().lawOf(shape) }
