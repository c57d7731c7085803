package nn

import (
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
)

// LSTM is PyTorch's nn.LSTM: a stack of LSTM layers (see LSTMCell for the
// equations, gate order i, f, g, o) unrolled over a sequence. Inputs are
// [seq, batch, input_size] ([batch, seq, input_size] with BatchFirst);
// parameters are named and laid out as PyTorch's (weight_ih_l{k}[_reverse]
// [4·hidden, input] and so on).
type LSTM[T Float] struct {
	r *recurrent[T]
}

// NewLSTM returns an LSTM with PyTorch's default initialization,
// U(±1/sqrt(hidden_size)) for every tensor, drawn from rng (which also
// draws the dropout masks between layers). opts.Nonlinearity must be empty.
func NewLSTM[T Float](rng *rand.Rand, inputSize, hiddenSize int, opts RNNOptions) (*LSTM[T], error) {
	if err := noNonlinearity("LSTM", opts.Nonlinearity); err != nil {
		return nil, err
	}
	r, err := newRecurrent[T](rng, "LSTM", kindLSTM, inputSize, hiddenSize, opts)
	if err != nil {
		return nil, err
	}
	return &LSTM[T]{r}, nil
}

// ForwardState runs the layers from the initial states h0 and c0
// ([num_layers·directions, batch, hidden], nil for zeros) and returns
// PyTorch's (output, (h_n, c_n)).
func (m *LSTM[T]) ForwardState(g *autograd.Graph[T], x, h0, c0 *autograd.Var[T]) (output, hn, cn *autograd.Var[T]) {
	return m.r.run(g, x, h0, c0)
}

// Forward returns the output of ForwardState from the zero state.
func (m *LSTM[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	out, _, _ := m.ForwardState(g, x, nil, nil)
	return out
}

// Parameters returns the weights in PyTorch's state-dict order.
func (m *LSTM[T]) Parameters() []*autograd.Var[T] { return m.r.parameters() }

// Weights returns the weights of layer l in direction d (1: reverse).
func (m *LSTM[T]) Weights(l, d int) *RecurrentWeights[T] { return m.r.at(l, d) }

// SetTraining turns the dropout between layers on or off.
func (m *LSTM[T]) SetTraining(on bool) { m.r.training = on }
