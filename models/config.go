package models

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// Config is the typed configuration of a classifier of Names: the model's
// name and, for "mlp", its hidden widths, with the activation and norm
// every model takes. Fields carry the command line's names as `kv` tags;
// a run records it (kv.JSON) with the input shape and class count it was
// sized for. Initializers are not part of it: give them in Options.
type Config struct {
	Name       string `kv:"model"`
	Hidden     []int  `kv:"hidden"` // the mlp's hidden widths
	Activation string `kv:"act"`
	Norm       string `kv:"norm"` // none, batch or layer
}

// Defaults returns the default model: the 784-512-256-10 MLP with ReLU,
// no normalization.
func Defaults() Config {
	return Config{Name: "mlp", Hidden: slices.Clone(DefaultMLPHidden), Activation: "relu", Norm: "none"}
}

// Validate checks the names and, for the mlp, that every width is
// positive.
func (c *Config) Validate() error {
	if !slices.Contains(Names, c.Name) {
		return fmt.Errorf("models: unknown model %q; valid: %s", c.Name, strings.Join(Names, ", "))
	}
	if c.Activation != "" && !slices.Contains(nn.ActivationNames, c.Activation) {
		return fmt.Errorf("models: unknown activation %q; valid: %s", c.Activation, strings.Join(nn.ActivationNames, ", "))
	}
	if c.Norm != "" && !slices.Contains(Norms, c.Norm) {
		return fmt.Errorf("models: unknown norm %q; valid: %s", c.Norm, strings.Join(Norms, ", "))
	}
	if c.Name == "mlp" && (len(c.Hidden) == 0 || slices.ContainsFunc(c.Hidden, func(h int) bool { return h <= 0 })) {
		return fmt.Errorf("models: mlp: want positive hidden widths, got %v", c.Hidden)
	}
	return nil
}

// FromConfig validates c and builds its model for examples of in inputs
// (the mlp's input width; the cnn's is fixed) in classes classes, with
// opts' initializers (opts' Activation and Norm are c's). An mlp over
// MaxParams parameters is refused before anything is allocated.
func FromConfig[T tensor.Float](c Config, rng *rand.Rand, in, classes int, opts Options) (*nn.Sequential[T], error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	opts.Activation, opts.Norm = c.Activation, c.Norm
	if c.Name != "mlp" {
		return New[T](c.Name, rng, opts)
	}
	if err := CheckMLPSize(in, c.Hidden, classes); err != nil {
		return nil, err
	}
	return MLP[T](rng, in, c.Hidden, classes, opts)
}
