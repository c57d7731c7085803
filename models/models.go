// Package models builds the two networks of the lecture's training
// experiments, with PyTorch's layer numbering so that state dicts carry
// over: an MLP for flattened MNIST digits and a small CNN. Both are
// nn.Sequential values; New builds either by name, for command lines.
package models

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/tensor"
)

// Options configure a model. The zero value is PyTorch's default: ReLU
// activations, and every layer initialized as PyTorch would.
type Options struct {
	// Activation names the hidden activation, one of nn.ActivationNames
	// ("relu", "leaky_relu", "tanh", "sigmoid", "gelu", "linear"/"identity").
	// Empty means "relu".
	Activation string
	// WeightInit and BiasInit initialize every Linear and Conv2d layer; nil
	// means PyTorch's default, U(±1/sqrt(fan_in)) for both.
	WeightInit initializer.Initializer
	BiasInit   initializer.Initializer
}

// activation returns the activation layer opts name.
func activation[T tensor.Float](opts Options) (nn.Module[T], error) {
	name := opts.Activation
	if name == "" {
		name = "relu"
	}
	a, err := nn.NewActivation[T](name)
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	return a, nil
}

// Names lists the models New builds.
var Names = []string{"mlp", "cnn"}

// DefaultMLPHidden are the hidden widths of the "mlp" model: 784-512-256-10.
var DefaultMLPHidden = []int{512, 256}

// New builds the model called name (one of Names) from rng: "mlp" is
// MLP(784, [512, 256], 10), for inputs [N, 784]; "cnn" is CNN, for inputs
// [N, 1, 28, 28].
func New[T tensor.Float](name string, rng *rand.Rand, opts Options) (*nn.Sequential[T], error) {
	switch name {
	case "mlp":
		return MLP[T](rng, 28*28, DefaultMLPHidden, 10, opts)
	case "cnn":
		return CNN[T](rng, opts)
	}
	return nil, fmt.Errorf("models: unknown model %q; valid: %s", name, strings.Join(Names, ", "))
}

// InputShape returns the shape of one example that the model called name
// takes (without the batch dimension): [784] for "mlp", [1, 28, 28] for
// "cnn".
func InputShape(name string) ([]int, error) {
	switch name {
	case "mlp":
		return []int{28 * 28}, nil
	case "cnn":
		return []int{1, 28, 28}, nil
	}
	return nil, fmt.Errorf("models: unknown model %q; valid: %s", name, strings.Join(Names, ", "))
}
