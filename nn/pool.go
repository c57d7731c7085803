package nn

import (
	"fmt"

	"github.com/descent-ml/descent/autograd"
)

// MaxPool2d is PyTorch's nn.MaxPool2d with square windows: the maximum of
// each Kernel×Kernel window of an [N, C, H, W] input, windows Stride apart
// (0 means Kernel, PyTorch's default), the input padded with -∞.
type MaxPool2d[T Float] struct {
	Kernel, Stride, Padding int
}

// NewMaxPool2d returns a MaxPool2d layer; stride 0 means kernel. As in
// PyTorch, padding may be at most half the kernel.
func NewMaxPool2d[T Float](kernel, stride, padding int) (*MaxPool2d[T], error) {
	if err := checkPool("MaxPool2d", kernel, stride, padding); err != nil {
		return nil, err
	}
	return &MaxPool2d[T]{Kernel: kernel, Stride: stride, Padding: padding}, nil
}

// Forward pools x.
func (p *MaxPool2d[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	return g.MaxPool2d(x, p.Kernel, poolStride(p.Kernel, p.Stride), p.Padding)
}

// Parameters returns none.
func (p *MaxPool2d[T]) Parameters() []*autograd.Var[T] { return nil }

// AvgPool2d is PyTorch's nn.AvgPool2d with square windows: the mean of each
// Kernel×Kernel window of an [N, C, H, W] input, windows Stride apart (0
// means Kernel), the zero padding counted in the divisor
// (count_include_pad=True, PyTorch's default).
type AvgPool2d[T Float] struct {
	Kernel, Stride, Padding int
}

// NewAvgPool2d returns an AvgPool2d layer; stride 0 means kernel. As in
// PyTorch, padding may be at most half the kernel.
func NewAvgPool2d[T Float](kernel, stride, padding int) (*AvgPool2d[T], error) {
	if err := checkPool("AvgPool2d", kernel, stride, padding); err != nil {
		return nil, err
	}
	return &AvgPool2d[T]{Kernel: kernel, Stride: stride, Padding: padding}, nil
}

// Forward pools x.
func (p *AvgPool2d[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	return g.AvgPool2d(x, p.Kernel, poolStride(p.Kernel, p.Stride), p.Padding)
}

// Parameters returns none.
func (p *AvgPool2d[T]) Parameters() []*autograd.Var[T] { return nil }

func poolStride(kernel, stride int) int {
	if stride == 0 {
		return kernel
	}
	return stride
}

func checkPool(name string, kernel, stride, padding int) error {
	switch {
	case kernel <= 0:
		return fmt.Errorf("nn: %s: kernel size %d must be positive", name, kernel)
	case stride < 0:
		return fmt.Errorf("nn: %s: stride %d must be positive (0 means the kernel size)", name, stride)
	case padding < 0 || padding > kernel/2:
		return fmt.Errorf("nn: %s: padding %d must be between 0 and half the kernel size %d", name, padding, kernel)
	}
	return nil
}
