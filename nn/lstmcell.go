package nn

import (
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
)

// LSTMCell is PyTorch's nn.LSTMCell, one step of a long short-term memory
// network (Hochreiter and Schmidhuber 1997, with the forget gate of Gers et
// al. 2000):
//
//	[i f g o] = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh   (gate blocks in this order)
//	c' = σ(f)⊙c + σ(i)⊙tanh(g)
//	h' = σ(o)⊙tanh(c')
//
// The cell state c is carried additively, which is why its gradient can
// survive many steps when σ(f) is near 1 (a forget-gate bias).
type LSTMCell[T Float] struct {
	RecurrentWeights[T]
}

// NewLSTMCell returns an LSTMCell with PyTorch's default initialization,
// U(±1/sqrt(hidden)) for every tensor, drawn from rng.
func NewLSTMCell[T Float](rng *rand.Rand, inputSize, hiddenSize int, opts CellOptions) (*LSTMCell[T], error) {
	if err := checkCell("LSTMCell", rng, inputSize, hiddenSize); err != nil {
		return nil, err
	}
	if err := noNonlinearity("LSTMCell", opts.Nonlinearity); err != nil {
		return nil, err
	}
	return &LSTMCell[T]{newRecurrentWeights[T](rng, 4, inputSize, hiddenSize, !opts.NoBias, "")}, nil
}

// Step returns the next hidden and cell states from x [batch, input] and
// h, c [batch, hidden] (nil: zeros).
func (l *LSTMCell[T]) Step(g *autograd.Graph[T], x, h, c *autograd.Var[T]) (*autograd.Var[T], *autograd.Var[T]) {
	return lstmStep(g, g.Linear(x, l.WeightIH, l.BiasIH), h, c, &l.RecurrentWeights)
}

// Forward is Step from the zero state, returning h'.
func (l *LSTMCell[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	h, _ := l.Step(g, x, nil, nil)
	return h
}

// lstmStep is one LSTM step from xp = x·W_ihᵀ + b_ih. With c nil (zero)
// the forget term f⊙c vanishes and is not recorded.
func lstmStep[T Float](g *autograd.Graph[T], xp, h, c *autograd.Var[T], w *RecurrentWeights[T]) (*autograd.Var[T], *autograd.Var[T]) {
	hs := w.hiddenSize()
	gates := addOpt(g, xp, w.hiddenPart(g, h))
	i := g.Sigmoid(g.Narrow(gates, 1, 0, hs))
	cell := g.Mul(i, g.Tanh(g.Narrow(gates, 1, 2*hs, hs)))
	if c != nil {
		f := g.Sigmoid(g.Narrow(gates, 1, hs, hs))
		cell = g.Add(g.Mul(f, c), cell)
	}
	o := g.Sigmoid(g.Narrow(gates, 1, 3*hs, hs))
	return g.Mul(o, g.Tanh(cell)), cell
}
