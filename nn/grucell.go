package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
)

// GRUCell is PyTorch's nn.GRUCell, one step of a gated recurrent unit (Cho
// et al. 2014, "Learning Phrase Representations using RNN Encoder-Decoder",
// arXiv:1406.1078), in PyTorch's form, where the reset gate multiplies the
// hidden part after its product with W_hn:
//
//	r = σ(W_ir x + b_ir + W_hr h + b_hr)
//	z = σ(W_iz x + b_iz + W_hz h + b_hz)
//	n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn))
//	h' = (1 - z)⊙n + z⊙h
type GRUCell[T Float] struct {
	RecurrentWeights[T]
}

// NewGRUCell returns a GRUCell with PyTorch's default initialization,
// U(±1/sqrt(hidden)) for every tensor, drawn from rng.
func NewGRUCell[T Float](rng *rand.Rand, inputSize, hiddenSize int, opts CellOptions) (*GRUCell[T], error) {
	if err := checkCell("GRUCell", rng, inputSize, hiddenSize); err != nil {
		return nil, err
	}
	if err := noNonlinearity("GRUCell", opts.Nonlinearity); err != nil {
		return nil, err
	}
	return &GRUCell[T]{newRecurrentWeights[T](rng, 3, inputSize, hiddenSize, !opts.NoBias, "")}, nil
}

// noNonlinearity rejects a nonlinearity for the gated cells, whose
// nonlinearities are fixed.
func noNonlinearity(what, nonlinearity string) error {
	if nonlinearity != "" {
		return fmt.Errorf("nn: %s has no nonlinearity option (got %q); it is RNN's", what, nonlinearity)
	}
	return nil
}

// Step returns the next hidden state from x [batch, input] and h [batch,
// hidden] (nil: zeros).
func (c *GRUCell[T]) Step(g *autograd.Graph[T], x, h *autograd.Var[T]) *autograd.Var[T] {
	return gruStep(g, g.Linear(x, c.WeightIH, c.BiasIH), h, &c.RecurrentWeights)
}

// Forward is Step from the zero state.
func (c *GRUCell[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	return c.Step(g, x, nil)
}

// gruStep is one GRU step from xp = x·W_ihᵀ + b_ih, computing h' as
// n + z⊙(h - n). With h nil (zero) that is n - z⊙n, and the hidden part is
// b_hh alone (or absent without bias).
func gruStep[T Float](g *autograd.Graph[T], xp, h *autograd.Var[T], w *RecurrentWeights[T]) *autograd.Var[T] {
	hs := w.hiddenSize()
	hp := w.hiddenPart(g, h)
	part := func(v *autograd.Var[T], k int) *autograd.Var[T] {
		if v == nil {
			return nil
		}
		return g.Narrow(v, -1, k*hs, hs)
	}
	r := g.Sigmoid(addOpt(g, part(xp, 0), part(hp, 0)))
	z := g.Sigmoid(addOpt(g, part(xp, 1), part(hp, 1)))
	pre := part(xp, 2)
	if hp != nil {
		pre = g.Add(pre, g.Mul(r, part(hp, 2)))
	}
	n := g.Tanh(pre)
	if h == nil {
		return g.Sub(n, g.Mul(z, n))
	}
	return g.Add(n, g.Mul(z, g.Sub(h, n)))
}
