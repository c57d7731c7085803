package initializer

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/descent-ml/descent/tensor"
)

// He, Zhang, Ren & Sun, "Delving Deep into Rectifiers: Surpassing
// Human-Level Performance on ImageNet Classification" (2015,
// arXiv:1502.01852): a ReLU zeroes half of a symmetric input, so
// D(y) = fan·D(w)·D(x)/2 and the variance is kept by D(w) = 2/fan. In
// general std = gain/sqrt(fan), with gain from CalculateGain and fan chosen
// by Mode.

// kaimingStd is gain(nonlinearity, a)/sqrt(fan).
func kaimingStd(scheme string, a float64, mode Mode, nonlinearity string) func([]int) (float64, error) {
	return func(shape []int) (float64, error) {
		gain, err := CalculateGain(kaimingNonlinearity(nonlinearity), a)
		if err != nil {
			return 0, err
		}
		fan, err := mode.fan(shape)
		if err != nil {
			return 0, err
		}
		if mode != FanIn && mode != FanOut {
			return 0, fmt.Errorf("%s: mode must be fan_in or fan_out, got %d", scheme, int(mode))
		}
		return gain / math.Sqrt(float64(fan)), nil
	}
}

// kaimingNonlinearity maps the zero value to PyTorch's default.
func kaimingNonlinearity(s string) string {
	if s == "" {
		return "leaky_relu"
	}
	return s
}

// KaimingUniform draws from U(±gain·sqrt(3/fan)) (torch.nn.init.
// kaiming_uniform_). The zero value is PyTorch's default: A = 0,
// Mode = FanIn, Nonlinearity "" meaning "leaky_relu", so gain = sqrt(2).
type KaimingUniform struct {
	A            float64 // negative slope of leaky_relu; ignored by other nonlinearities
	Mode         Mode
	Nonlinearity string // a CalculateGain name; "" is leaky_relu
}

func (k KaimingUniform) scaled() fanScaled {
	return fanScaled{std: kaimingStd("kaiming_uniform", k.A, k.Mode, k.Nonlinearity), draw: drawUniform, law: uniformStdLaw, scheme: "kaiming_uniform"}
}

// Fill draws t.
func (k KaimingUniform) Fill(t *tensor.Tensor[float64], rng *rand.Rand) error {
	return k.scaled().fill(t, rng)
}

// String returns "kaiming_uniform(a=A,mode=M,nonlinearity=N)".
func (k KaimingUniform) String() string {
	return fmt.Sprintf("kaiming_uniform(a=%g,mode=%s,nonlinearity=%s)", k.A, k.Mode, kaimingNonlinearity(k.Nonlinearity))
}

// Law is the uniform law of std gain/sqrt(fan).
func (k KaimingUniform) Law(shape []int) (Law, error) { return k.scaled().lawOf(shape) }

// KaimingNormal draws from N(0, gain²/fan) (torch.nn.init.kaiming_normal_):
// the lecture's He initialization, std = sqrt(2/fan_in) for ReLU. The zero
// value is PyTorch's default, as for KaimingUniform.
type KaimingNormal struct {
	A            float64 // negative slope of leaky_relu; ignored by other nonlinearities
	Mode         Mode
	Nonlinearity string // a CalculateGain name; "" is leaky_relu
}

func (k KaimingNormal) scaled() fanScaled {
	return fanScaled{std: kaimingStd("kaiming_normal", k.A, k.Mode, k.Nonlinearity), draw: drawNormal, law: normalStdLaw, scheme: "kaiming_normal"}
}

// Fill draws t.
func (k KaimingNormal) Fill(t *tensor.Tensor[float64], rng *rand.Rand) error {
	return k.scaled().fill(t, rng)
}

// String returns "kaiming_normal(a=A,mode=M,nonlinearity=N)".
func (k KaimingNormal) String() string {
	return fmt.Sprintf("kaiming_normal(a=%g,mode=%s,nonlinearity=%s)", k.A, k.Mode, kaimingNonlinearity(k.Nonlinearity))
}

// Law is N(0, gain²/fan).
func (k KaimingNormal) Law(shape []int) (Law, error) { return k.scaled().lawOf(shape) }

// TorchDefault is what PyTorch's nn.Linear and nn.Conv2d do to their weight
// in reset_parameters: kaiming_uniform with a = sqrt(5), whose gain
// sqrt(2/(1+5)) = sqrt(1/3) makes the bound sqrt(3)·sqrt(1/3)/sqrt(fan_in)
// = 1/sqrt(fan_in). So W ~ U(±1/sqrt(fan_in)) with D(w) = 1/(3·fan_in):
// exactly the lecture's example of a signal that fades by a factor 3 per
// layer.
type TorchDefault struct{}

var torchDefault = KaimingUniform{A: math.Sqrt(5)}

// Fill draws t from U(±1/sqrt(fan_in)).
func (TorchDefault) Fill(t *tensor.Tensor[float64], rng *rand.Rand) error {
	return torchDefault.Fill(t, rng)
}

// String returns "torch_default".
func (TorchDefault) String() string { return "torch_default" }

// Law is U(±1/sqrt(fan_in)).
func (TorchDefault) Law(shape []int) (Law, error) { return torchDefault.Law(shape) }
