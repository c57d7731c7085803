package models

import (
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// DefaultEmbedding is TextModel's embedding width when none is given.
const DefaultEmbedding = 64

// TextModel is a byte-level language model: Embedding(256, E), a
// recurrent stack over the bytes (batch first), and Linear(H, 256) giving
// the logits of the next byte at every position. Its state dict is
// embed.weight, rnn.*, fc.weight, fc.bias, that of the PyTorch module
//
//	class TextModel(nn.Module):
//	    def __init__(self, kind, embed=64, hidden=256, layers=2):
//	        super().__init__()
//	        self.embed = nn.Embedding(256, embed)
//	        self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](embed, hidden, num_layers=layers, batch_first=True)
//	        self.fc = nn.Linear(hidden, 256)
//	    def forward(self, x, state=None):
//	        out, state = self.rnn(self.embed(x), state)
//	        return self.fc(out), state
type TextModel[T tensor.Float] struct {
	Embed  *nn.Embedding[T]
	RNN    nn.Module[T]
	FC     *nn.Linear[T]
	run    func(g *autograd.Graph[T], x, h, c *autograd.Var[T]) (out, hn, cn *autograd.Var[T])
	params []*autograd.Var[T]
}

// NewTextModel builds a TextModel with the recurrent kind ("rnn", "lstm"
// or "gru") and embedding width embed (0: DefaultEmbedding).
func NewTextModel[T tensor.Float](rng *rand.Rand, kind string, embed int, o SeqOptions) (*TextModel[T], error) {
	o = o.withDefaults()
	if embed == 0 {
		embed = DefaultEmbedding
	}
	e, err := nn.NewEmbedding[T](rng, 256, embed)
	if err != nil {
		return nil, fmt.Errorf("models: TextModel embed: %w", err)
	}
	r, err := newRecurrent[T](rng, kind, embed, o, true)
	if err != nil {
		return nil, err
	}
	fc, err := nn.NewLinear[T](rng, o.Hidden, 256, nn.LinearOptions{})
	if err != nil {
		return nil, fmt.Errorf("models: TextModel fc: %w", err)
	}
	m := &TextModel[T]{Embed: e, RNN: r.Module, FC: fc, run: r.run}
	m.params = append(prefix("embed", nn.Module[T](e)), prefix("rnn", r.Module)...)
	m.params = append(m.params, prefix("fc", nn.Module[T](fc))...)
	return m, nil
}

// ForwardState takes bytes x [N, T] (values 0..255) and the recurrent
// state (h, and c for an LSTM; nil for zeros) and returns the next-byte
// logits [N, T, 256] and the final state. Truncated backpropagation
// through time carries the state to the next chunk cut from the graph:
// copy its values into tensors of your own (the graph recycles its
// buffers at the next step) and pass them back as constants.
func (m *TextModel[T]) ForwardState(g *autograd.Graph[T], x, h, c *autograd.Var[T]) (logits, hn, cn *autograd.Var[T]) {
	out, hn, cn := m.run(g, m.Embed.Forward(g, x), h, c)
	return m.FC.Forward(g, out), hn, cn
}

// Forward is ForwardState from the zero state, returning the logits.
func (m *TextModel[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	logits, _, _ := m.ForwardState(g, x, nil, nil)
	return logits
}

// Parameters returns embed.*, rnn.*, fc.*, PyTorch's state-dict order.
func (m *TextModel[T]) Parameters() []*autograd.Var[T] { return m.params }

// SetTraining passes the mode on (dropout between recurrent layers).
func (m *TextModel[T]) SetTraining(on bool) { nn.SetTraining(m.RNN, on) }
