package nn

import (
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
)

// RNN is PyTorch's nn.RNN: a stack of Elman layers unrolled over a
// sequence, each step h_t = act(x_t·W_ihᵀ + b_ih + h_{t-1}·W_hhᵀ + b_hh)
// with act tanh (default) or relu. Inputs are [seq, batch, input_size]
// ([batch, seq, input_size] with BatchFirst). Parameters are named
// weight_ih_l{k}[_reverse], weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} in
// PyTorch's order, so state dicts move between the two unchanged. Training
// it is backpropagation through time: the tape holds every step.
type RNN[T Float] struct {
	r *recurrent[T]
}

// NewRNN returns an RNN with PyTorch's default initialization,
// U(±1/sqrt(hidden_size)) for every tensor, drawn from rng (which also
// draws the dropout masks between layers).
func NewRNN[T Float](rng *rand.Rand, inputSize, hiddenSize int, opts RNNOptions) (*RNN[T], error) {
	kind, err := rnnKind(opts.Nonlinearity)
	if err != nil {
		return nil, err
	}
	r, err := newRecurrent[T](rng, "RNN", kind, inputSize, hiddenSize, opts)
	if err != nil {
		return nil, err
	}
	return &RNN[T]{r}, nil
}

// ForwardState runs the layers from the initial state h0 ([num_layers·
// directions, batch, hidden], nil for zeros) and returns PyTorch's (output,
// h_n): the last layer's hidden state at every step ([seq, batch,
// directions·hidden], or batch first) and every layer's final state.
func (m *RNN[T]) ForwardState(g *autograd.Graph[T], x, h0 *autograd.Var[T]) (output, hn *autograd.Var[T]) {
	output, hn, _ = m.r.run(g, x, h0, nil)
	return output, hn
}

// Forward returns the output of ForwardState from the zero state.
func (m *RNN[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	out, _ := m.ForwardState(g, x, nil)
	return out
}

// Parameters returns the weights in PyTorch's state-dict order.
func (m *RNN[T]) Parameters() []*autograd.Var[T] { return m.r.parameters() }

// Weights returns the weights of layer l in direction d (1: reverse).
func (m *RNN[T]) Weights(l, d int) *RecurrentWeights[T] { return m.r.at(l, d) }

// SetTraining turns the dropout between layers on or off.
func (m *RNN[T]) SetTraining(on bool) { m.r.training = on }
