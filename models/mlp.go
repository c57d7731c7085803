package models

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// MLP returns the fully connected classifier
// Linear(in, hidden[0]) - act - Linear(hidden[0], hidden[1]) - act - ... -
// Linear(hidden[last], classes) as an nn.Sequential, so its parameters are
// named 0.weight, 0.bias, 2.weight, ... as in PyTorch (an activation,
// even "linear", takes a position). With opts.Norm a normalization layer
// follows each hidden Linear (Linear - norm - act, numbered 0, 1, 2, then
// 3, 4, 5, ...). It takes inputs [N, in]; flatten images first.
func MLP[T tensor.Float](rng *rand.Rand, in int, hidden []int, classes int, opts Options) (*nn.Sequential[T], error) {
	sizes := append(append([]int{in}, hidden...), classes)
	for _, s := range sizes {
		if s <= 0 {
			return nil, fmt.Errorf("models: MLP sizes %v must all be positive", sizes)
		}
	}
	lin := nn.LinearOptions{WeightInit: opts.WeightInit, BiasInit: opts.BiasInit}
	var layers []nn.Module[T]
	for i := range len(sizes) - 1 {
		l, err := nn.NewLinear[T](rng, sizes[i], sizes[i+1], lin)
		if err != nil {
			return nil, fmt.Errorf("models: MLP layer %d: %w", len(layers), err)
		}
		layers = append(layers, l)
		if i == len(sizes)-2 {
			break
		}
		norm, err := hiddenNorm[T](opts, sizes[i+1])
		if err != nil {
			return nil, err
		}
		if norm != nil {
			layers = append(layers, norm)
		}
		act, err := activation[T](opts)
		if err != nil {
			return nil, err
		}
		layers = append(layers, act)
	}
	return nn.NewSequential(layers...), nil
}

// MaxParams bounds the size of an MLP that CheckMLPSize accepts: a
// mistyped width (or a hostile configuration file) must be an error, not
// an out-of-memory kill. 2^28 float32 parameters are 1 GiB, ten times the
// largest MLP anyone trains on MNIST.
const MaxParams = 1 << 28

// CheckMLPSize returns an error when the MLP in -> hidden... -> out would
// have more than MaxParams parameters, before anything is allocated; the
// count never overflows.
func CheckMLPSize(in int, hidden []int, out int) error {
	total, prev := 0, in
	for _, h := range append(slices.Clone(hidden), out) {
		if h > MaxParams || prev > MaxParams || (prev+1)*h > MaxParams-total {
			return fmt.Errorf("models: mlp: over %d parameters, more than the limit of %d", MaxParams, MaxParams)
		}
		total += (prev + 1) * h
		prev = h
	}
	return nil
}
