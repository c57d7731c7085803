package nn

import (
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
)

// GRU is PyTorch's nn.GRU: a stack of GRU layers (see GRUCell for the
// equations, gate order r, z, n) unrolled over a sequence. Inputs are
// [seq, batch, input_size] ([batch, seq, input_size] with BatchFirst);
// parameters are named and laid out as PyTorch's (weight_ih_l{k}[_reverse]
// [3·hidden, input] and so on).
type GRU[T Float] struct {
	r *recurrent[T]
}

// NewGRU returns a GRU with PyTorch's default initialization,
// U(±1/sqrt(hidden_size)) for every tensor, drawn from rng (which also
// draws the dropout masks between layers). opts.Nonlinearity must be empty.
func NewGRU[T Float](rng *rand.Rand, inputSize, hiddenSize int, opts RNNOptions) (*GRU[T], error) {
	if err := noNonlinearity("GRU", opts.Nonlinearity); err != nil {
		return nil, err
	}
	r, err := newRecurrent[T](rng, "GRU", kindGRU, inputSize, hiddenSize, opts)
	if err != nil {
		return nil, err
	}
	return &GRU[T]{r}, nil
}

// ForwardState runs the layers from the initial state h0 ([num_layers·
// directions, batch, hidden], nil for zeros) and returns PyTorch's (output,
// h_n).
func (m *GRU[T]) ForwardState(g *autograd.Graph[T], x, h0 *autograd.Var[T]) (output, hn *autograd.Var[T]) {
	output, hn, _ = m.r.run(g, x, h0, nil)
	return output, hn
}

// Forward returns the output of ForwardState from the zero state.
func (m *GRU[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	out, _ := m.ForwardState(g, x, nil)
	return out
}

// Parameters returns the weights in PyTorch's state-dict order.
func (m *GRU[T]) Parameters() []*autograd.Var[T] { return m.r.parameters() }

// Weights returns the weights of layer l in direction d (1: reverse).
func (m *GRU[T]) Weights(l, d int) *RecurrentWeights[T] { return m.r.at(l, d) }

// SetTraining turns the dropout between layers on or off.
func (m *GRU[T]) SetTraining(on bool) { m.r.training = on }
