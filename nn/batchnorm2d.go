package nn

import "github.com/descent-ml/descent/autograd"

// BatchNorm2d is PyTorch's nn.BatchNorm2d: batch normalization of
// [N, C, H, W] inputs per channel C, over the batch and both spatial axes.
// Its options, modes, parameters and buffers are BatchNorm1d's.
type BatchNorm2d[T Float] struct{ batchNorm[T] }

// NewBatchNorm2d returns a BatchNorm2d over c channels: weight 1, bias 0,
// running mean 0 and running variance 1.
func NewBatchNorm2d[T Float](c int, opts BatchNormOptions) (*BatchNorm2d[T], error) {
	b, err := newBatchNorm[T]("BatchNorm2d", c, opts)
	if err != nil {
		return nil, err
	}
	b.inDims, b.altIn = 4, 4
	return &BatchNorm2d[T]{b}, nil
}

// Forward normalizes x ([N, C, H, W]).
func (b *BatchNorm2d[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	return b.forward(g, x)
}
