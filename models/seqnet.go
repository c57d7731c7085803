package models

import (
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// RecurrentNames lists the recurrent kinds SeqNet and TextModel take.
var RecurrentNames = []string{"rnn", "lstm", "gru"}

// SeqOptions configure SeqNet and TextModel. The zero value is the
// issue's default: 128 hidden units, one layer, tanh for "rnn".
type SeqOptions struct {
	Hidden       int    // hidden_size; 0 means 128
	Layers       int    // num_layers; 0 means 1
	Nonlinearity string // "tanh" (or "") or "relu"; "rnn" only
	Unrolled     bool   // one node per time step on the tape (nn.RNNOptions.Unrolled)
}

func (o SeqOptions) withDefaults() SeqOptions {
	if o.Hidden == 0 {
		o.Hidden = 128
	}
	if o.Layers == 0 {
		o.Layers = 1
	}
	return o
}

// recurrent wraps nn.RNN, nn.LSTM and nn.GRU behind one call with
// optional states (c is the LSTM's, nil for the others).
type recurrent[T tensor.Float] struct {
	nn.Module[T]
	run func(g *autograd.Graph[T], x, h, c *autograd.Var[T]) (out, hn, cn *autograd.Var[T])
}

// newRecurrent builds the layer kind ("rnn", "lstm" or "gru") on
// batch-first inputs, or sequence-first ones without batchFirst.
func newRecurrent[T tensor.Float](rng *rand.Rand, kind string, input int, o SeqOptions, batchFirst bool) (recurrent[T], error) {
	opts := nn.RNNOptions{NumLayers: o.Layers, BatchFirst: batchFirst, Unrolled: o.Unrolled}
	if kind != "rnn" && o.Nonlinearity != "" {
		return recurrent[T]{}, fmt.Errorf("models: a nonlinearity (%q) is for the rnn model, not %s", o.Nonlinearity, kind)
	}
	switch kind {
	case "rnn":
		opts.Nonlinearity = o.Nonlinearity
		m, err := nn.NewRNN[T](rng, input, o.Hidden, opts)
		if err != nil {
			return recurrent[T]{}, fmt.Errorf("models: %w", err)
		}
		return recurrent[T]{m, func(g *autograd.Graph[T], x, h, _ *autograd.Var[T]) (out, hn, cn *autograd.Var[T]) {
			out, hn = m.ForwardState(g, x, h)
			return out, hn, nil
		}}, nil
	case "lstm":
		m, err := nn.NewLSTM[T](rng, input, o.Hidden, opts)
		if err != nil {
			return recurrent[T]{}, fmt.Errorf("models: %w", err)
		}
		return recurrent[T]{m, m.ForwardState}, nil
	case "gru":
		m, err := nn.NewGRU[T](rng, input, o.Hidden, opts)
		if err != nil {
			return recurrent[T]{}, fmt.Errorf("models: %w", err)
		}
		return recurrent[T]{m, func(g *autograd.Graph[T], x, h, _ *autograd.Var[T]) (out, hn, cn *autograd.Var[T]) {
			out, hn = m.ForwardState(g, x, h)
			return out, hn, nil
		}}, nil
	}
	return recurrent[T]{}, fmt.Errorf("models: unknown recurrent kind %q; valid: rnn, lstm, gru", kind)
}

// prefix renames m's parameters "prefix.name", as a PyTorch submodule
// attribute does, and returns them.
func prefix[T tensor.Float](p string, m nn.Module[T]) []*autograd.Var[T] {
	ps := m.Parameters()
	for _, v := range ps {
		v.Name = p + "." + v.Name
	}
	return ps
}

// SeqNet classifies a 28×28 image read as a sequence of 28 rows of 28
// pixels (sequential MNIST, row by row): a recurrent layer over the rows,
// then a Linear layer from the last step's output to 10 classes. Its state
// dict (rnn.*, fc.*) is that of this PyTorch module, so either side loads
// the other's weights:
//
//	class SeqNet(nn.Module):
//	    def __init__(self, kind, hidden=128, layers=1):
//	        super().__init__()
//	        self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](28, hidden, num_layers=layers, batch_first=True)
//	        self.fc = nn.Linear(hidden, 10)
//	    def forward(self, x):
//	        out, _ = self.rnn(x.reshape(-1, 28, 28))
//	        return self.fc(out[:, -1])
type SeqNet[T tensor.Float] struct {
	RNN    nn.Module[T] // *nn.RNN, *nn.LSTM or *nn.GRU, sequence-first (see Forward)
	FC     *nn.Linear[T]
	params []*autograd.Var[T]
}

// NewSeqNet builds SeqNet with the recurrent layer kind ("rnn", "lstm" or
// "gru"), PyTorch's default initialization drawn from rng.
func NewSeqNet[T tensor.Float](rng *rand.Rand, kind string, o SeqOptions) (*SeqNet[T], error) {
	o = o.withDefaults()
	r, err := newRecurrent[T](rng, kind, 28, o, false)
	if err != nil {
		return nil, err
	}
	fc, err := nn.NewLinear[T](rng, o.Hidden, 10, nn.LinearOptions{})
	if err != nil {
		return nil, fmt.Errorf("models: SeqNet fc: %w", err)
	}
	s := &SeqNet[T]{RNN: r.Module, FC: fc}
	s.params = append(prefix("rnn", r.Module), prefix("fc", nn.Module[T](fc))...)
	return s, nil
}

// Forward takes images [N, 784] or [N, 1, 28, 28] and returns logits [N, 10].
//
// It computes what the PyTorch module does with batch_first=True, but
// runs the recurrent layer sequence-first, as PyTorch's CPU LSTM does
// inside: the image rows [N, 28, 28] are transposed to [28, N, 28] (a
// 400 KB copy), so that each time step's gate rows are one contiguous
// block rather than rows 28 steps apart, and the last step's outputs are
// a contiguous [N, hidden] block too (no transposing of the outputs back).
// The LSTM's training step ran 4% faster so (docs/performance.md).
func (s *SeqNet[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	out := s.RNN.Forward(g, g.Transpose(g.Reshape(x, -1, 28, 28), 0, 1))
	return s.FC.Forward(g, g.Select(out, 0, 27))
}

// Parameters returns rnn.* then fc.*, PyTorch's state-dict order.
func (s *SeqNet[T]) Parameters() []*autograd.Var[T] { return s.params }

// SetTraining passes the mode on (dropout between recurrent layers).
func (s *SeqNet[T]) SetTraining(on bool) { nn.SetTraining(s.RNN, on) }
