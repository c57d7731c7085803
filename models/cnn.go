package models

import (
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// CNN returns the convolutional classifier for 28×28 single-channel images
// ([N, 1, 28, 28]):
//
//	0 Conv2d(1, 32, 3)   [N, 32, 26, 26]
//	1 act
//	2 MaxPool2d(2)       [N, 32, 13, 13]
//	3 Conv2d(32, 64, 3)  [N, 64, 11, 11]
//	4 act
//	5 MaxPool2d(2)       [N, 64, 5, 5]
//	6 Flatten            [N, 1600]
//	7 Linear(1600, 128)
//	8 act
//	9 Linear(128, 10)
//
// as an nn.Sequential, so its parameters are 0.weight, 0.bias, 3.weight,
// 3.bias, 7.weight, 7.bias, 9.weight, 9.bias, as in PyTorch. With
// opts.Norm "batch" a BatchNorm2d follows each convolution and a
// BatchNorm1d the hidden Linear (Conv2d 0, BatchNorm2d 1, act 2, pool 3,
// Conv2d 4, BatchNorm2d 5, act 6, pool 7, Flatten 8, Linear 9,
// BatchNorm1d 10, act 11, Linear 12); with "layer" a LayerNorm follows the
// hidden Linear only (Linear 7, LayerNorm 8, act 9, Linear 10).
func CNN[T tensor.Float](rng *rand.Rand, opts Options) (*nn.Sequential[T], error) {
	conv := nn.Conv2dOptions{WeightInit: opts.WeightInit, BiasInit: opts.BiasInit}
	lin := nn.LinearOptions{WeightInit: opts.WeightInit, BiasInit: opts.BiasInit}
	var layers []nn.Module[T]
	// add appends a layer (nil: none) or reports what failed at its position.
	add := func(l nn.Module[T], err error) error {
		if err != nil {
			return fmt.Errorf("models: CNN layer %d: %w", len(layers), err)
		}
		if l != nil {
			layers = append(layers, l)
		}
		return nil
	}
	pool, err := nn.NewMaxPool2d[T](2, 2, 0) // stateless: both positions share it
	if err != nil {
		return nil, fmt.Errorf("models: CNN pooling: %w", err)
	}
	// The draws happen in PyTorch's order: conv1, conv2, linear1, linear2.
	for _, c := range [][2]int{{1, 32}, {32, 64}} {
		if err := add(nonNil(nn.NewConv2d[T](rng, c[0], c[1], 3, conv))); err != nil {
			return nil, err
		}
		if err := add(convNorm[T](opts, c[1])); err != nil {
			return nil, err
		}
		if err := add(activation[T](opts)); err != nil {
			return nil, err
		}
		layers = append(layers, pool)
	}
	layers = append(layers, nn.Flatten[T]{})
	if err := add(nonNil(nn.NewLinear[T](rng, 64*5*5, 128, lin))); err != nil {
		return nil, err
	}
	if err := add(hiddenNorm[T](opts, 128)); err != nil {
		return nil, err
	}
	if err := add(activation[T](opts)); err != nil {
		return nil, err
	}
	if err := add(nonNil(nn.NewLinear[T](rng, 128, 10, lin))); err != nil {
		return nil, err
	}
	return nn.NewSequential(layers...), nil
}

// nonNil turns a constructor's typed result into a Module, keeping a nil
// pointer from becoming a non-nil interface.
func nonNil[T tensor.Float, L nn.Module[T]](l L, err error) (nn.Module[T], error) {
	if err != nil {
		return nil, err
	}
	return l, nil
}
