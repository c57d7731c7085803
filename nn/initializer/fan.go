package initializer

import (
	"fmt"
	"math"
	"slices"
)

// Fans returns the fan-in and fan-out of a weight of the given shape,
// computed as PyTorch's _calculate_fan_in_and_fan_out does: the shape is
// [out, in, k...], the receptive field is the product of the kernel
// dimensions k..., fan_in = in·receptive and fan_out = out·receptive. A
// Linear weight [out, in] has fan_in = in; a Conv2d kernel [O, C, kh, kw]
// has fan_in = C·kh·kw.
func Fans(shape []int) (fanIn, fanOut int, err error) {
	if len(shape) < 2 {
		return 0, 0, fmt.Errorf("initializer: fan in and fan out cannot be computed for a tensor of shape %v: it needs at least 2 dimensions", slices.Clone(shape))
	}
	receptive := 1
	for _, k := range shape[2:] {
		receptive *= k
	}
	return shape[1] * receptive, shape[0] * receptive, nil
}

// Mode selects which fan a Kaiming scheme preserves: FanIn keeps the
// variance of the forward signal, FanOut that of the backward gradient.
type Mode int

const (
	FanIn  Mode = iota // preserve the forward pass (PyTorch's default)
	FanOut             // preserve the backward pass
)

// String returns PyTorch's name for the mode.
func (m Mode) String() string {
	if m == FanOut {
		return "fan_out"
	}
	return "fan_in"
}

// fan picks fan_in or fan_out of shape.
func (m Mode) fan(shape []int) (int, error) {
	in, out, err := Fans(shape)
	if m == FanOut {
		return out, err
	}
	return in, err
}

// DefaultLeakySlope is the negative slope that PyTorch's calculate_gain
// assumes for leaky_relu when none is given.
const DefaultLeakySlope = 0.01

// Nonlinearities lists the names CalculateGain accepts.
var Nonlinearities = []string{"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
	"conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"}

// CalculateGain returns PyTorch's recommended gain for a nonlinearity: the
// factor by which the std of the weights must grow to make up for what the
// activation takes from the signal's variance.
//
//	linear, conv*, sigmoid  1
//	tanh                    5/3
//	relu                    sqrt(2)
//	leaky_relu              sqrt(2 / (1 + slope²)), slope = param
//	selu                    3/4
//
// param is leaky_relu's negative slope and is ignored otherwise; pass
// DefaultLeakySlope where PyTorch would get None.
func CalculateGain(nonlinearity string, param float64) (float64, error) {
	switch nonlinearity {
	case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid":
		return 1, nil
	case "tanh":
		return 5.0 / 3, nil
	case "relu":
		return math.Sqrt2, nil
	case "leaky_relu":
		return math.Sqrt(2 / (1 + param*param)), nil
	case "selu":
		return 3.0 / 4, nil
	}
	return 0, fmt.Errorf("initializer: unsupported nonlinearity %q; valid: %v", nonlinearity, Nonlinearities)
}
