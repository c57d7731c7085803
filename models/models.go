// Package models builds the networks of the lecture's training
// experiments, with PyTorch's layer numbering so that state dicts carry
// over: an MLP for flattened MNIST digits and a small CNN (nn.Sequential
// values; New builds either by name), SeqNet, which reads a digit as a
// sequence of 28 rows through an RNN, LSTM or GRU, and TextModel, a
// byte-level language model. Build builds any of the MNIST models by name,
// for command lines.
package models

import (
	"fmt"
	"math/rand/v2"
	"slices"
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
	// Norm puts a normalization layer after each hidden Linear, before the
	// activation: "batch" (nn.BatchNorm1d, and nn.BatchNorm2d after each
	// convolution of the CNN) or "layer" (nn.LayerNorm over the features).
	// Empty or "none" means none. The layers take positions in the
	// Sequential, as in PyTorch, and draw nothing from the random source.
	Norm string
}

// Norms lists the values of Options.Norm.
var Norms = []string{"none", "batch", "layer"}

// hiddenNorm returns the normalization layer opts ask for after a hidden
// Linear of width n, or nil for none.
func hiddenNorm[T tensor.Float](opts Options, n int) (nn.Module[T], error) {
	switch opts.Norm {
	case "", "none":
		return nil, nil
	case "batch":
		return nn.NewBatchNorm1d[T](n, nn.BatchNormOptions{})
	case "layer":
		return nn.NewLayerNorm[T]([]int{n}, nn.LayerNormOptions{})
	}
	return nil, fmt.Errorf("models: unknown norm %q; valid: %s", opts.Norm, strings.Join(Norms, ", "))
}

// convNorm returns the layer opts ask for after a convolution with c
// output channels: BatchNorm2d for "batch", nil otherwise.
func convNorm[T tensor.Float](opts Options, c int) (nn.Module[T], error) {
	if opts.Norm != "batch" {
		_, err := hiddenNorm[T](opts, c) // only to validate the name
		return nil, err
	}
	return nn.NewBatchNorm2d[T](c, nn.BatchNormOptions{})
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

// AllNames lists every model Build builds: Names, then the sequential-MNIST
// SeqNet under its recurrent kinds.
var AllNames = append(append([]string(nil), Names...), RecurrentNames...)

// Build builds any model of AllNames as an nn.Module: "mlp" and "cnn" as
// New does (with opts), "rnn", "lstm" and "gru" as NewSeqNet does (with
// seq), for commands that take a model by name.
func Build[T tensor.Float](name string, rng *rand.Rand, opts Options, seq SeqOptions) (nn.Module[T], error) {
	if slices.Contains(RecurrentNames, name) {
		return NewSeqNet[T](rng, name, seq)
	}
	if !slices.Contains(Names, name) {
		return nil, fmt.Errorf("models: unknown model %q; valid: %s", name, strings.Join(AllNames, ", "))
	}
	m, err := New[T](name, rng, opts)
	if err != nil {
		return nil, err // not a nil *Sequential inside a non-nil Module
	}
	return m, nil
}

// InputShape returns the shape of one example that the model called name
// takes (without the batch dimension): [784] for "mlp", [1, 28, 28] for
// "cnn", [28, 28] (28 steps of 28 pixels) for "rnn", "lstm" and "gru".
func InputShape(name string) ([]int, error) {
	switch name {
	case "rnn", "lstm", "gru":
		return []int{28, 28}, nil
	case "mlp":
		return []int{28 * 28}, nil
	case "cnn":
		return []int{1, 28, 28}, nil
	}
	return nil, fmt.Errorf("models: unknown model %q; valid: %s", name, strings.Join(AllNames, ", "))
}
