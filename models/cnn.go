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
// 3.bias, 7.weight, 7.bias, 9.weight, 9.bias, as in PyTorch.
func CNN[T tensor.Float](rng *rand.Rand, opts Options) (*nn.Sequential[T], error) {
	conv := nn.Conv2dOptions{WeightInit: opts.WeightInit, BiasInit: opts.BiasInit}
	lin := nn.LinearOptions{WeightInit: opts.WeightInit, BiasInit: opts.BiasInit}
	var acts [3]nn.Module[T]
	for i := range acts {
		a, err := activation[T](opts)
		if err != nil {
			return nil, err
		}
		acts[i] = a
	}
	c1, err := nn.NewConv2d[T](rng, 1, 32, 3, conv)
	if err != nil {
		return nil, fmt.Errorf("models: CNN layer 0: %w", err)
	}
	c2, err := nn.NewConv2d[T](rng, 32, 64, 3, conv)
	if err != nil {
		return nil, fmt.Errorf("models: CNN layer 3: %w", err)
	}
	l1, err := nn.NewLinear[T](rng, 64*5*5, 128, lin)
	if err != nil {
		return nil, fmt.Errorf("models: CNN layer 7: %w", err)
	}
	l2, err := nn.NewLinear[T](rng, 128, 10, lin)
	if err != nil {
		return nil, fmt.Errorf("models: CNN layer 9: %w", err)
	}
	pool, err := nn.NewMaxPool2d[T](2, 2, 0) // stateless: both positions share it
	if err != nil {
		return nil, fmt.Errorf("models: CNN layer 2: %w", err)
	}
	return nn.NewSequential(c1, acts[0], pool, c2, acts[1], pool, nn.Flatten[T]{}, l1, acts[2], l2), nil
}
