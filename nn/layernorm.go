package nn

import (
	"fmt"
	"slices"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// LayerNormOptions configure NewLayerNorm. The zero value is PyTorch's
// default: eps 1e-5 and an elementwise affine transform.
type LayerNormOptions struct {
	Eps                 float64 // added to the variance; 0 means 1e-5
	NoElementwiseAffine bool    // leave out weight and bias (elementwise_affine=False)
}

// LayerNorm is PyTorch's nn.LayerNorm (Ba, Kiros & Hinton, "Layer
// Normalization", 2016, arXiv:1607.06450): each sample is normalized over
// its last dimensions (the normalized shape) with its own mean and biased
// variance, then scaled and shifted elementwise. It behaves the same in
// training and evaluation mode and keeps no running statistics.
type LayerNorm[T Float] struct {
	Weight, Bias    *autograd.Var[T] // the normalized shape, nil without the affine transform
	NormalizedShape []int
	Eps             float64
	size            int
}

// NewLayerNorm returns a LayerNorm over the trailing dimensions
// normalizedShape: weight 1 and bias 0.
func NewLayerNorm[T Float](normalizedShape []int, opts LayerNormOptions) (*LayerNorm[T], error) {
	size := 1
	for _, d := range normalizedShape {
		size *= d
	}
	if len(normalizedShape) == 0 || size <= 0 || len(normalizedShape) > tensor.MaxDims {
		return nil, fmt.Errorf("nn: LayerNorm(%v): the normalized shape must be 1 to %d positive sizes", normalizedShape, tensor.MaxDims)
	}
	if opts.Eps < 0 {
		return nil, fmt.Errorf("nn: LayerNorm: eps %v must not be negative", opts.Eps)
	}
	if opts.Eps == 0 {
		opts.Eps = 1e-5
	}
	l := &LayerNorm[T]{NormalizedShape: slices.Clone(normalizedShape), Eps: opts.Eps, size: size}
	if !opts.NoElementwiseAffine {
		w := tensor.New[T](normalizedShape...)
		w.Fill(1)
		l.Weight = autograd.NewParam(w, "weight")
		l.Bias = autograd.NewParam(tensor.New[T](normalizedShape...), "bias")
	}
	return l, nil
}

// Forward normalizes x, whose shape must end with the normalized shape.
func (l *LayerNorm[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	s, k := x.Shape(), len(l.NormalizedShape)
	if len(s) < k || !slices.Equal(s[len(s)-k:], l.NormalizedShape) {
		panic(fmt.Sprintf("nn: LayerNorm(%v): input of shape %v does not end with the normalized shape", l.NormalizedShape, s))
	}
	return g.LayerNorm(x, l.Weight, l.Bias, l.size, l.Eps)
}

// Parameters returns weight and bias (none without the affine transform).
func (l *LayerNorm[T]) Parameters() []*autograd.Var[T] {
	if l.Weight == nil {
		return nil
	}
	return []*autograd.Var[T]{l.Weight, l.Bias}
}
