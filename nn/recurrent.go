package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// This file holds what RNN, LSTM and GRU (and their cells) share: the
// weights of one layer and direction, their PyTorch initialization, and the
// unrolled multi-layer, optionally bidirectional loop. Backpropagation
// through time needs nothing special: the loop records every time step on
// the tape, so the graph is the unrolled network and Backward walks it back
// through time, accumulating each step's contribution to the shared weights.

// RecurrentWeights are the parameters of one recurrent layer (or cell) in
// one direction, in PyTorch's layout: the gates' blocks stacked by rows,
// W_ih [gates·hidden, input], W_hh [gates·hidden, hidden], b_ih and b_hh
// [gates·hidden] (nil without bias). Gate order: LSTM i, f, g, o; GRU r, z, n.
type RecurrentWeights[T Float] struct {
	WeightIH, WeightHH, BiasIH, BiasHH *autograd.Var[T]
}

// newRecurrentWeights draws all four tensors from U(±1/sqrt(hidden)),
// PyTorch's default for every recurrent parameter, and names them
// weight_ih+suffix and so on.
func newRecurrentWeights[T Float](rng *rand.Rand, gates, input, hidden int, bias bool, suffix string) RecurrentWeights[T] {
	bound := 1 / math.Sqrt(float64(hidden))
	param := func(name string, shape ...int) *autograd.Var[T] {
		t := tensor.New[T](shape...)
		t.RandU(rng, -bound, bound)
		return autograd.NewParam(t, name+suffix)
	}
	w := RecurrentWeights[T]{
		WeightIH: param("weight_ih", gates*hidden, input),
		WeightHH: param("weight_hh", gates*hidden, hidden),
	}
	if bias {
		w.BiasIH = param("bias_ih", gates*hidden)
		w.BiasHH = param("bias_hh", gates*hidden)
	}
	return w
}

// Parameters returns the weights in PyTorch's order.
func (w *RecurrentWeights[T]) Parameters() []*autograd.Var[T] {
	if w.BiasIH == nil {
		return []*autograd.Var[T]{w.WeightIH, w.WeightHH}
	}
	return []*autograd.Var[T]{w.WeightIH, w.WeightHH, w.BiasIH, w.BiasHH}
}

// hiddenSize is H, the number of columns of W_hh.
func (w *RecurrentWeights[T]) hiddenSize() int { return w.WeightHH.Shape()[1] }

// hiddenPart returns h·W_hhᵀ + b_hh; for a zero state (h nil) that is b_hh
// alone, or nil without bias.
func (w *RecurrentWeights[T]) hiddenPart(g *autograd.Graph[T], h *autograd.Var[T]) *autograd.Var[T] {
	if h != nil {
		return g.Linear(h, w.WeightHH, w.BiasHH)
	}
	return w.BiasHH
}

// addOpt returns a + b, or a when b is nil (a zero term).
func addOpt[T Float](g *autograd.Graph[T], a, b *autograd.Var[T]) *autograd.Var[T] {
	if b == nil {
		return a
	}
	return g.Add(a, b)
}

// RNNOptions configure NewRNN, NewLSTM and NewGRU with PyTorch's argument
// names. The zero value is PyTorch's default: one layer, tanh, biases,
// [seq, batch, feature] inputs, no dropout, one direction.
type RNNOptions struct {
	NumLayers     int     // num_layers; 0 means 1
	Nonlinearity  string  // nonlinearity: "tanh" (or "") or "relu"; RNN only
	NoBias        bool    // bias=False
	BatchFirst    bool    // batch_first: inputs and outputs are [batch, seq, feature]
	Dropout       float64 // dropout on the outputs of every layer but the last, in training mode
	Bidirectional bool    // bidirectional
	// Unrolled records every time step's ops on the tape, as the lecture
	// draws backpropagation through time, instead of one fused op per layer
	// (the default from a zero state, for speed); the values and gradients
	// are the same. descent graph uses it to show the unrolled graph.
	Unrolled bool
}

// cellKind says which recurrence a layer runs.
type cellKind int

const (
	kindRNNTanh cellKind = iota
	kindRNNReLU
	kindLSTM
	kindGRU
)

// gates is the number of H-row blocks in the kind's weights.
func (k cellKind) gates() int {
	switch k {
	case kindLSTM:
		return 4
	case kindGRU:
		return 3
	}
	return 1
}

// fused returns the kind's autograd.RecurrentKind.
func (k cellKind) fused() autograd.RecurrentKind {
	switch k {
	case kindLSTM:
		return autograd.RecurrentLSTM
	case kindGRU:
		return autograd.RecurrentGRU
	case kindRNNReLU:
		return autograd.RecurrentReLU
	}
	return autograd.RecurrentTanh
}

// rnnKind resolves an RNN nonlinearity name.
func rnnKind(nonlinearity string) (cellKind, error) {
	switch nonlinearity {
	case "", "tanh":
		return kindRNNTanh, nil
	case "relu":
		return kindRNNReLU, nil
	}
	return 0, fmt.Errorf("nn: RNN nonlinearity %q: want tanh or relu", nonlinearity)
}

// step advances one time step from xp = x_t·W_ihᵀ + b_ih and the state
// (h, c); nil states are zero. c is the LSTM's cell state, nil for others.
func step[T Float](k cellKind, g *autograd.Graph[T], xp, h, c *autograd.Var[T], w *RecurrentWeights[T]) (*autograd.Var[T], *autograd.Var[T]) {
	switch k {
	case kindLSTM:
		return lstmStep(g, xp, h, c, w)
	case kindGRU:
		return gruStep(g, xp, h, w), nil
	}
	return rnnStep(g, k == kindRNNReLU, xp, h, w), nil
}

// recurrent is the unrolled stack of layers behind RNN, LSTM and GRU.
type recurrent[T Float] struct {
	kind              cellKind
	input, hidden     int
	opts              RNNOptions
	weights           []RecurrentWeights[T] // [layer·directions + direction]
	rng               *rand.Rand
	training          bool
	outs, hn, cn, dir []*autograd.Var[T] // scratch reused by every Forward
}

func newRecurrent[T Float](rng *rand.Rand, what string, kind cellKind, input, hidden int, opts RNNOptions) (*recurrent[T], error) {
	if input <= 0 || hidden <= 0 {
		return nil, fmt.Errorf("nn: %s(input_size=%d, hidden_size=%d): sizes must be positive", what, input, hidden)
	}
	if opts.NumLayers == 0 {
		opts.NumLayers = 1
	}
	if opts.NumLayers < 0 {
		return nil, fmt.Errorf("nn: %s num_layers %d: must be positive", what, opts.NumLayers)
	}
	if !(opts.Dropout >= 0 && opts.Dropout <= 1) {
		return nil, fmt.Errorf("nn: %s dropout %v outside [0, 1]", what, opts.Dropout)
	}
	if rng == nil {
		return nil, fmt.Errorf("nn: %s needs a random source (tensor.NewRand(seed))", what)
	}
	r := &recurrent[T]{kind: kind, input: input, hidden: hidden, opts: opts, rng: rng, training: true}
	dirs := r.directions()
	for l := range opts.NumLayers {
		in := input
		if l > 0 {
			in = hidden * dirs
		}
		for d := range dirs {
			suffix := fmt.Sprintf("_l%d", l)
			if d == 1 {
				suffix += "_reverse"
			}
			r.weights = append(r.weights, newRecurrentWeights[T](rng, kind.gates(), in, hidden, !opts.NoBias, suffix))
		}
	}
	return r, nil
}

func (r *recurrent[T]) directions() int {
	if r.opts.Bidirectional {
		return 2
	}
	return 1
}

func (r *recurrent[T]) parameters() []*autograd.Var[T] {
	var ps []*autograd.Var[T]
	for i := range r.weights {
		ps = append(ps, r.weights[i].Parameters()...)
	}
	return ps
}

// checkState panics unless s is nil or [layers·directions, batch, hidden].
func (r *recurrent[T]) checkState(what string, s *autograd.Var[T], batch int) {
	if s == nil {
		return
	}
	sh := s.Shape()
	if len(sh) != 3 || sh[0] != len(r.weights) || sh[1] != batch || sh[2] != r.hidden {
		panic(fmt.Sprintf("nn: recurrent layer: %s of shape %v, want [%d %d %d]", what, sh, len(r.weights), batch, r.hidden))
	}
}

// run unrolls the layers over x ([seq, batch, input], or [batch, seq,
// input] with BatchFirst) from the initial states h0 and c0 ([layers·dirs,
// batch, hidden], nil for zeros) and returns the last layer's outputs at
// every step and the final states of every layer and direction.
func (r *recurrent[T]) run(g *autograd.Graph[T], x, h0, c0 *autograd.Var[T]) (out, hn, cn *autograd.Var[T]) {
	xs := x.Shape()
	if len(xs) != 3 || xs[2] != r.input {
		panic(fmt.Sprintf("nn: recurrent layer: input of shape %v, want 3 dimensions with %d features", xs, r.input))
	}
	timeAxis := 0
	if r.opts.BatchFirst {
		timeAxis = 1
	}
	steps, batch := xs[timeAxis], xs[1-timeAxis]
	if steps == 0 {
		panic("nn: recurrent layer: empty sequence")
	}
	r.checkState("h_0", h0, batch)
	r.checkState("c_0", c0, batch)
	dirs := r.directions()
	r.outs = grow(r.outs, steps)
	r.hn = grow(r.hn, len(r.weights))
	r.cn = grow(r.cn, len(r.weights))
	r.dir = grow(r.dir, dirs)
	in := x
	for l := range r.opts.NumLayers {
		for d := range dirs {
			k := l*dirs + d
			w := &r.weights[k]
			if h0 == nil && c0 == nil && !r.opts.Unrolled {
				// From the zero state the whole layer is one fused op, after
				// every step's input part in one product. The RNN's and
				// LSTM's b_hh joins b_ih there (as cuDNN does): added once
				// per layer, not once per step, and one bias gradient sum.
				bih, bhh := w.BiasIH, w.BiasHH
				if r.kind != kindGRU && bih != nil && bhh != nil {
					bih, bhh = g.Add(bih, bhh), nil
				}
				xp := g.Linear(in, w.WeightIH, bih)
				out, c := g.FusedRecurrentInPlace(r.kind.fused(), xp, w.WeightHH, bhh, r.opts.BatchFirst, d == 1) // xp feeds nothing else
				last := steps - 1
				if d == 1 {
					last = 0
				}
				r.dir[d], r.hn[k], r.cn[k] = out, g.Select(out, timeAxis, last), c
				continue
			}
			xp := g.Linear(in, w.WeightIH, w.BiasIH) // every step's input part in one product
			var h, c *autograd.Var[T]
			if h0 != nil {
				h = g.Select(h0, 0, k)
			}
			if c0 != nil {
				c = g.Select(c0, 0, k)
			}
			for s := range steps {
				t := s
				if d == 1 {
					t = steps - 1 - s
				}
				h, c = step(r.kind, g, g.Select(xp, timeAxis, t), h, c, w)
				r.outs[t] = h
			}
			r.hn[k], r.cn[k] = h, c
			r.dir[d] = g.Stack(timeAxis, r.outs...)
		}
		in = r.dir[0]
		if dirs == 2 {
			in = g.Concat(2, r.dir[0], r.dir[1])
		}
		if r.training && r.opts.Dropout > 0 && l < r.opts.NumLayers-1 {
			in = g.Dropout(in, r.opts.Dropout, r.rng)
		}
	}
	hn = g.Stack(0, r.hn...)
	if r.kind == kindLSTM {
		cn = g.Stack(0, r.cn...)
	}
	return in, hn, cn
}

// grow returns s resized to n elements, reusing its capacity.
func grow[E any](s []E, n int) []E {
	if cap(s) < n {
		return make([]E, n)
	}
	return s[:n]
}

// at returns the weights of layer l in direction d.
func (r *recurrent[T]) at(l, d int) *RecurrentWeights[T] {
	return &r.weights[l*r.directions()+d]
}
