package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/tensor"
)

// Conv2d is PyTorch's nn.Conv2d with square kernels, zero padding and no
// dilation or groups: y = conv2d(x, W) + b for x of shape [N, in, H, W],
// W of shape [out, in, kernel, kernel] and b of shape [out].
type Conv2d[T Float] struct {
	Weight  *autograd.Var[T] // [out, in, kernel, kernel]
	Bias    *autograd.Var[T] // [out], or nil
	Stride  int
	Padding int
}

// Conv2dOptions configure NewConv2d. The zero value is PyTorch's default:
// stride 1, no padding, a bias, and both tensors drawn from
// U(±1/sqrt(fan_in)) with fan_in = in·kernel·kernel (kaiming_uniform with
// a = sqrt(5) for the weight).
type Conv2dOptions struct {
	Stride     int // 0 means 1
	Padding    int
	NoBias     bool
	WeightInit initializer.Initializer // nil: PyTorch's default
	BiasInit   initializer.Initializer // nil: U(±1/sqrt(fan_in))
}

// NewConv2d returns a Conv2d layer from in to out channels with a
// kernel×kernel window, initialized from rng.
func NewConv2d[T Float](rng *rand.Rand, in, out, kernel int, opts Conv2dOptions) (*Conv2d[T], error) {
	switch {
	case in <= 0 || out <= 0 || kernel <= 0:
		return nil, fmt.Errorf("nn: Conv2d(%d, %d, kernel %d): sizes must be positive", in, out, kernel)
	case opts.Stride < 0:
		return nil, fmt.Errorf("nn: Conv2d: stride %d must be positive (0 means 1)", opts.Stride)
	case opts.Padding < 0:
		return nil, fmt.Errorf("nn: Conv2d: padding %d must not be negative", opts.Padding)
	}
	c := &Conv2d[T]{Stride: max(opts.Stride, 1), Padding: opts.Padding}
	fanIn := in * kernel * kernel
	w := tensor.New[T](out, in, kernel, kernel)
	if err := initWeight(w, opts.WeightInit, rng, fanIn); err != nil {
		return nil, fmt.Errorf("nn: Conv2d weight: %w", err)
	}
	c.Weight = autograd.NewParam(w, "weight")
	if !opts.NoBias {
		b := tensor.New[T](out)
		if err := initBias(b, opts.BiasInit, rng, fanIn); err != nil {
			return nil, fmt.Errorf("nn: Conv2d bias: %w", err)
		}
		c.Bias = autograd.NewParam(b, "bias")
	}
	return c, nil
}

// Forward convolves x [N, in, H, W] into [N, out, OH, OW].
func (c *Conv2d[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	return g.Conv2d(x, c.Weight, c.Bias, c.Stride, c.Padding)
}

// Parameters returns weight and, if present, bias.
func (c *Conv2d[T]) Parameters() []*autograd.Var[T] {
	if c.Bias == nil {
		return []*autograd.Var[T]{c.Weight}
	}
	return []*autograd.Var[T]{c.Weight, c.Bias}
}
