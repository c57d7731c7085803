package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/tensor"
)

// LSUVOptions configure LSUV. The zero value is the paper's setting.
type LSUVOptions struct {
	Tol     float64 // accept a layer when |Var(output) - 1| < Tol; 0 means the paper's 0.1
	MaxIter int     // rescalings per layer at most; 0 means the paper's 10
}

// LSUVLayer reports what LSUV did to one Linear or Conv2d layer.
type LSUVLayer struct {
	Name      string  // the weight's state-dict key, e.g. "2.weight"
	Var       float64 // the layer's output variance on the batch at the end
	Iters     int     // rescalings applied
	Converged bool    // |Var - 1| < Tol
}

// LSUV is layer-sequential unit-variance initialization (Mishkin & Matas,
// "All you need is a good init", ICLR 2016, arXiv:1511.06422):
//
//  1. fill every Linear and Conv2d weight of s with a random orthogonal
//     matrix (Saxe et al., 2013), drawn from rng in layer order;
//  2. for each such layer L in order, until |Var(B_L) - 1| < Tol or
//     MaxIter rescalings: run batch forward to L's output B_L and set
//     W_L ← W_L / sqrt(Var(B_L)).
//
// Var is the variance over all elements of the output. Earlier layers are
// final when a later one is scaled, so at the end every layer whose
// Converged is set has unit output variance on this batch at once. A layer
// without bias is linear in W and converges in one step; a bias or an
// earlier nonlinearity may need more. Biases are left as they are (set them
// with BiasInit, e.g. initializer.Zeros). Nested Sequentials are walked;
// other layers (activations, pooling, Flatten) are run, not changed.
func LSUV[T Float](rng *rand.Rand, s *Sequential[T], batch *tensor.Tensor[T], opts LSUVOptions) ([]LSUVLayer, error) {
	if opts.Tol == 0 {
		opts.Tol = 0.1
	}
	if opts.MaxIter == 0 {
		opts.MaxIter = 10
	}
	if !(opts.Tol > 0) || opts.MaxIter < 0 {
		return nil, fmt.Errorf("nn: LSUV needs Tol > 0 and MaxIter >= 0, got %g and %d", opts.Tol, opts.MaxIter)
	}
	weights := lsuvWeights(s, nil)
	if len(weights) == 0 {
		return nil, fmt.Errorf("nn: LSUV found no Linear or Conv2d layer to initialize")
	}
	for _, w := range weights {
		if err := initializer.Apply(initializer.Orthogonal{Gain: 1}, w.Value, rng); err != nil {
			return nil, fmt.Errorf("nn: LSUV: %s: %w", w.Name, err)
		}
	}
	l := &lsuv[T]{g: autograd.New[T](), opts: opts}
	if _, err := l.run(s, batch.Clone()); err != nil {
		return nil, err
	}
	return l.report, nil
}

// lsuvWeight returns the weight LSUV scales in m, or nil.
func lsuvWeight[T Float](m Module[T]) *autograd.Var[T] {
	switch m := m.(type) {
	case *Linear[T]:
		return m.Weight
	case *Conv2d[T]:
		return m.Weight
	}
	return nil
}

func lsuvWeights[T Float](s *Sequential[T], out []*autograd.Var[T]) []*autograd.Var[T] {
	for _, m := range s.Layers {
		if inner, ok := m.(*Sequential[T]); ok {
			out = lsuvWeights(inner, out)
		} else if w := lsuvWeight(m); w != nil {
			out = append(out, w)
		}
	}
	return out
}

type lsuv[T Float] struct {
	g      *autograd.Graph[T]
	opts   LSUVOptions
	report []LSUVLayer
}

// run passes h through s's layers, fitting each weighted one, and returns
// s's output.
func (l *lsuv[T]) run(s *Sequential[T], h *tensor.Tensor[T]) (*tensor.Tensor[T], error) {
	for _, m := range s.Layers {
		if inner, ok := m.(*Sequential[T]); ok {
			var err error
			if h, err = l.run(inner, h); err != nil {
				return nil, err
			}
			continue
		}
		if w := lsuvWeight(m); w != nil {
			if err := l.fit(m, w, h); err != nil {
				return nil, err
			}
		}
		h = l.forward(m, h)
	}
	return h, nil
}

// fit rescales w until m's output on h has unit variance.
func (l *lsuv[T]) fit(m Module[T], w *autograd.Var[T], h *tensor.Tensor[T]) error {
	r := LSUVLayer{Name: w.Name}
	for {
		r.Var = tensorVariance(l.forward(m, h))
		if math.IsNaN(r.Var) || math.IsInf(r.Var, 0) || r.Var == 0 {
			return fmt.Errorf("nn: LSUV: the output of %s has variance %g on this batch; it cannot be rescaled to 1", w.Name, r.Var)
		}
		r.Converged = math.Abs(r.Var-1) < l.opts.Tol
		if r.Converged || r.Iters == l.opts.MaxIter {
			break
		}
		tensor.Scale(w.Value, w.Value, T(1/math.Sqrt(r.Var)))
		r.Iters++
	}
	l.report = append(l.report, r)
	return nil
}

// forward runs m on h without recording and returns a copy of the output,
// owned by the caller, so that the graph can be reset.
func (l *lsuv[T]) forward(m Module[T], h *tensor.Tensor[T]) *tensor.Tensor[T] {
	var out *tensor.Tensor[T]
	l.g.NoGrad(func() { out = m.Forward(l.g, autograd.NewConstant(h)).Value.Clone() })
	l.g.Reset()
	return out
}

// tensorVariance is the population variance of t's elements, accumulated
// in float64.
func tensorVariance[T Float](t *tensor.Tensor[T]) float64 {
	var mean float64
	for _, v := range t.Data() {
		mean += float64(v)
	}
	mean /= float64(t.Len())
	var ss float64
	for _, v := range t.Data() {
		d := float64(v) - mean
		ss += d * d
	}
	return ss / float64(t.Len())
}
