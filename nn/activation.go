package nn

import (
	"fmt"
	"strings"

	"github.com/descent-ml/descent/autograd"
)

// ReLU is max(0, x).
type ReLU[T Float] struct{}

// Forward applies ReLU.
func (ReLU[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] { return g.ReLU(x) }

// Parameters returns none.
func (ReLU[T]) Parameters() []*autograd.Var[T] { return nil }

// DefaultLeakySlope is PyTorch's default negative slope of LeakyReLU.
const DefaultLeakySlope = 0.01

// LeakyReLU is x for x > 0 and Slope·x otherwise, like PyTorch's
// nn.LeakyReLU(negative_slope=Slope); PyTorch's default is
// DefaultLeakySlope. (The zero value, slope 0, is ReLU.)
type LeakyReLU[T Float] struct{ Slope float64 }

// Forward applies LeakyReLU.
func (l LeakyReLU[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	return g.LeakyReLU(x, l.Slope)
}

// Parameters returns none.
func (LeakyReLU[T]) Parameters() []*autograd.Var[T] { return nil }

// Tanh is the hyperbolic tangent.
type Tanh[T Float] struct{}

// Forward applies tanh.
func (Tanh[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] { return g.Tanh(x) }

// Parameters returns none.
func (Tanh[T]) Parameters() []*autograd.Var[T] { return nil }

// Sigmoid is the logistic function 1/(1+e^(-x)).
type Sigmoid[T Float] struct{}

// Forward applies the sigmoid.
func (Sigmoid[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	return g.Sigmoid(x)
}

// Parameters returns none.
func (Sigmoid[T]) Parameters() []*autograd.Var[T] { return nil }

// GELU is x·Φ(x) with Φ the standard normal CDF, in the exact erf form
// (PyTorch's default, approximate='none').
type GELU[T Float] struct{}

// Forward applies GELU.
func (GELU[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] { return g.GELU(x) }

// Parameters returns none.
func (GELU[T]) Parameters() []*autograd.Var[T] { return nil }

// Identity passes its input through: the "linear" activation, which keeps
// a network's layer numbering the same as with a real activation.
type Identity[T Float] struct{}

// Forward returns x.
func (Identity[T]) Forward(_ *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] { return x }

// Parameters returns none.
func (Identity[T]) Parameters() []*autograd.Var[T] { return nil }

// Softmax is exp(x)/Σ exp(x) along Axis (negative counts from the end),
// computed stably; like PyTorch's nn.Softmax(dim=Axis). For a classifier's
// loss use CrossEntropyLoss on the logits instead: it is fused and stabler.
type Softmax[T Float] struct{ Axis int }

// Forward applies softmax along s.Axis.
func (s Softmax[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	return g.Softmax(x, s.Axis)
}

// Parameters returns none.
func (Softmax[T]) Parameters() []*autograd.Var[T] { return nil }

// LogSoftmax is x - log Σ exp(x) along Axis (negative counts from the end),
// computed stably; like PyTorch's nn.LogSoftmax(dim=Axis). Followed by
// NLLLoss it equals CrossEntropyLoss.
type LogSoftmax[T Float] struct{ Axis int }

// Forward applies log-softmax along s.Axis.
func (s LogSoftmax[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	return g.LogSoftmax(x, s.Axis)
}

// Parameters returns none.
func (LogSoftmax[T]) Parameters() []*autograd.Var[T] { return nil }

// Flatten merges every dimension after the first into one, turning
// [N, C, H, W] into [N, C·H·W]: PyTorch's nn.Flatten() with its default
// start_dim=1. It is a view; no values are copied.
type Flatten[T Float] struct{}

// Forward flattens x from dimension 1.
func (Flatten[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	return g.Flatten(x, 1)
}

// Parameters returns none.
func (Flatten[T]) Parameters() []*autograd.Var[T] { return nil }

// ActivationNames lists the names NewActivation accepts.
var ActivationNames = []string{"relu", "leaky_relu", "tanh", "sigmoid", "gelu", "linear", "identity"}

// NewActivation returns the activation layer called name (one of
// ActivationNames): what models and command lines use to pick one.
// leaky_relu has PyTorch's default slope, 0.01; linear and identity are
// the same layer.
func NewActivation[T Float](name string) (Module[T], error) {
	switch name {
	case "relu":
		return ReLU[T]{}, nil
	case "leaky_relu":
		return LeakyReLU[T]{Slope: DefaultLeakySlope}, nil
	case "tanh":
		return Tanh[T]{}, nil
	case "sigmoid":
		return Sigmoid[T]{}, nil
	case "gelu":
		return GELU[T]{}, nil
	case "linear", "identity":
		return Identity[T]{}, nil
	}
	return nil, fmt.Errorf("nn: unknown activation %q; valid: %s", name, strings.Join(ActivationNames, ", "))
}
