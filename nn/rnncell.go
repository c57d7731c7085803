package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
)

// CellOptions configure NewRNNCell, NewLSTMCell and NewGRUCell. The zero
// value is PyTorch's default: biases, and tanh for RNNCell.
type CellOptions struct {
	Nonlinearity string // "tanh" (or "") or "relu"; RNNCell only
	NoBias       bool   // bias=False
}

// RNNCell is PyTorch's nn.RNNCell, one step of an Elman network:
//
//	h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh), act = tanh or relu.
//
// Its parameters are named weight_ih, weight_hh, bias_ih, bias_hh.
type RNNCell[T Float] struct {
	RecurrentWeights[T]
	kind cellKind
}

// NewRNNCell returns an RNNCell with PyTorch's default initialization,
// U(±1/sqrt(hidden)) for every tensor, drawn from rng.
func NewRNNCell[T Float](rng *rand.Rand, inputSize, hiddenSize int, opts CellOptions) (*RNNCell[T], error) {
	kind, err := rnnKind(opts.Nonlinearity)
	if err != nil {
		return nil, err
	}
	if err := checkCell("RNNCell", rng, inputSize, hiddenSize); err != nil {
		return nil, err
	}
	return &RNNCell[T]{newRecurrentWeights[T](rng, 1, inputSize, hiddenSize, !opts.NoBias, ""), kind}, nil
}

// checkCell validates a cell's constructor arguments.
func checkCell(what string, rng *rand.Rand, input, hidden int) error {
	if input <= 0 || hidden <= 0 {
		return fmt.Errorf("nn: %s(input_size=%d, hidden_size=%d): sizes must be positive", what, input, hidden)
	}
	if rng == nil {
		return fmt.Errorf("nn: %s needs a random source (tensor.NewRand(seed))", what)
	}
	return nil
}

// Step returns the next hidden state from x [batch, input] and h [batch,
// hidden] (nil: zeros, as PyTorch's default hx).
func (c *RNNCell[T]) Step(g *autograd.Graph[T], x, h *autograd.Var[T]) *autograd.Var[T] {
	return rnnStep(g, c.kind == kindRNNReLU, g.Linear(x, c.WeightIH, c.BiasIH), h, &c.RecurrentWeights)
}

// Forward is Step from the zero state.
func (c *RNNCell[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	return c.Step(g, x, nil)
}

// rnnStep: h' = act(xp + h·W_hhᵀ + b_hh) with xp = x·W_ihᵀ + b_ih.
func rnnStep[T Float](g *autograd.Graph[T], relu bool, xp, h *autograd.Var[T], w *RecurrentWeights[T]) *autograd.Var[T] {
	pre := addOpt(g, xp, w.hiddenPart(g, h))
	if relu {
		return g.ReLU(pre)
	}
	return g.Tanh(pre)
}
