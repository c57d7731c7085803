package autograd

import (
	"fmt"
	"math/rand/v2"
)

// Dropout zeroes each element of x independently with probability p and
// scales the survivors by 1/(1-p), so the expected value of every element
// is unchanged (inverted dropout, as torch.nn.functional.dropout in
// training mode; at evaluation time the layer is simply left out, which
// nn.Dropout does). p = 0 returns x itself; p = 1 gives zeros and a zero
// gradient.
//
// One rng.Float64() is drawn per element, in row-major order, even when no
// gradient is recorded, so the same seed gives the same mask either way.
// The mask m (0 or 1/(1-p) per element) is kept in a graph buffer, and
// y = x ⊙ m gives dx = dy ⊙ m.
func (g *Graph[T]) Dropout(x *Var[T], p float64, rng *rand.Rand) *Var[T] {
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("autograd: Dropout: p = %v, want 0 <= p <= 1", p))
	}
	if p == 0 {
		return x
	}
	scale := T(0)
	if p < 1 {
		scale = T(1 / (1 - p))
	}
	req := g.needsGrad(x, nil, nil)
	out := g.NewResult(req, x.Shape()...)
	var mask []T
	if req {
		n := g.Record(dropoutOp[T]{}, out, x, nil, nil)
		n.F = p
		n.Saved = g.Buffer(x.Shape()...)
		mask = n.Saved.Data()
	}
	y := out.Value.Data()
	for i, v := range x.Value.Data() {
		m := T(0)
		if rng.Float64() >= p {
			m = scale
		}
		if mask != nil {
			mask[i] = m
		}
		y[i] = v * m // not 0 for a dropped element: NaN·0 stays NaN, as in torch
	}
	return out
}

type dropoutOp[T Float] struct{}

func (dropoutOp[T]) Name() string { return "Dropout" }
func (dropoutOp[T]) Backward(g *Graph[T], n *Node[T]) {
	gx := g.GradOf(n.In[0])
	if gx == nil {
		return
	}
	dx, dy := gx.Data(), n.Out.Grad.Data()
	for i, m := range n.Saved.Data()[:len(dx)] {
		dx[i] += dy[i] * m
	}
}
