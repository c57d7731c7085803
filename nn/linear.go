package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/tensor"
)

// Linear is PyTorch's nn.Linear: y = x·Wᵀ + b with W of shape [out, in].
type Linear[T Float] struct {
	Weight *autograd.Var[T] // [out, in]
	Bias   *autograd.Var[T] // [out], or nil
}

// LinearOptions configure NewLinear. The zero value is PyTorch's default:
// a bias, and both tensors drawn from U(±1/sqrt(in)) (kaiming_uniform with
// a = sqrt(5) for the weight).
type LinearOptions struct {
	NoBias     bool
	WeightInit initializer.Initializer // nil: PyTorch's default
	BiasInit   initializer.Initializer // nil: U(±1/sqrt(fan_in))
}

// NewLinear returns a Linear layer from in to out features, initialized
// from rng.
func NewLinear[T Float](rng *rand.Rand, in, out int, opts LinearOptions) (*Linear[T], error) {
	if in <= 0 || out <= 0 {
		return nil, fmt.Errorf("nn: Linear(%d, %d): sizes must be positive", in, out)
	}
	l := &Linear[T]{}
	w := tensor.New[T](out, in)
	if err := initWeight(w, opts.WeightInit, rng, in); err != nil {
		return nil, fmt.Errorf("nn: Linear weight: %w", err)
	}
	l.Weight = autograd.NewParam(w, "weight")
	if !opts.NoBias {
		b := tensor.New[T](out)
		if err := initBias(b, opts.BiasInit, rng, in); err != nil {
			return nil, fmt.Errorf("nn: Linear bias: %w", err)
		}
		l.Bias = autograd.NewParam(b, "bias")
	}
	return l, nil
}

// initWeight applies init, or PyTorch's default U(±1/sqrt(fan_in)).
func initWeight[T Float](w *tensor.Tensor[T], init initializer.Initializer, rng *rand.Rand, fanIn int) error {
	if init != nil {
		return initializer.Apply(init, w, rng)
	}
	bound := 1 / math.Sqrt(float64(fanIn))
	w.RandU(rng, -bound, bound)
	return nil
}

// initBias applies init, or PyTorch's default U(±1/sqrt(fan_in)).
func initBias[T Float](b *tensor.Tensor[T], init initializer.Initializer, rng *rand.Rand, fanIn int) error {
	return initWeight(b, init, rng, fanIn)
}

// Forward computes x·Wᵀ + b.
func (l *Linear[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	return g.Linear(x, l.Weight, l.Bias)
}

// Parameters returns weight and, if present, bias.
func (l *Linear[T]) Parameters() []*autograd.Var[T] {
	if l.Bias == nil {
		return []*autograd.Var[T]{l.Weight}
	}
	return []*autograd.Var[T]{l.Weight, l.Bias}
}
