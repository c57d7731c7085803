package nn_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/autograd/gradcheck"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

func randParam(seed uint64, shape ...int) *V {
	x := tensor.New[float64](shape...)
	x.RandN(tensor.NewRand(seed), 0, 1)
	return autograd.NewParam(x, "")
}

// TestGradcheckRecurrentStates checks the gradients with respect to the
// initial states too (and every weight and the input), through all of
// the final states.
func TestGradcheckRecurrentStates(t *testing.T) {
	rng := tensor.NewRand(3)
	lstm, err := nn.NewLSTM[float64](rng, 3, 4, nn.RNNOptions{NumLayers: 2, Bidirectional: true})
	must(t, err)
	gru, err := nn.NewGRU[float64](rng, 3, 4, nn.RNNOptions{NumLayers: 2, BatchFirst: true})
	must(t, err)
	cell, err := nn.NewLSTMCell[float64](rng, 3, 4, nn.CellOptions{})
	must(t, err)
	cases := []struct {
		name   string
		inputs []*V
		params []*V
		f      func(g *G, in []*V) *V
	}{
		{"LSTM", []*V{randParam(1, 5, 2, 3), randParam(2, 4, 2, 4), randParam(3, 4, 2, 4)}, lstm.Parameters(),
			func(g *G, in []*V) *V {
				out, h, c := lstm.ForwardState(g, in[0], in[1], in[2])
				return g.Add(g.Add(g.Sum(g.Tanh(out)), g.Sum(g.Mul(h, h))), g.Sum(c))
			}},
		{"GRU", []*V{randParam(4, 2, 5, 3), randParam(5, 2, 2, 4)}, gru.Parameters(),
			func(g *G, in []*V) *V {
				out, h := gru.ForwardState(g, in[0], in[1])
				return g.Add(g.Sum(g.Tanh(out)), g.Sum(g.Mul(h, h)))
			}},
		{"LSTMCell", []*V{randParam(6, 2, 3), randParam(7, 2, 4), randParam(8, 2, 4)}, cell.Parameters(),
			func(g *G, in []*V) *V {
				h, c := cell.Step(g, in[0], in[1], in[2])
				return g.Add(g.Sum(g.Mul(h, h)), g.Sum(g.Tanh(c)))
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inputs := append(append([]*V(nil), c.inputs...), c.params...)
			if _, err := gradcheck.Check(c.f, inputs, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestTruncatedBPTT runs a sequence in two chunks, carrying the state
// across with Detach: the weights' gradient is then the sum of the two
// chunks' gradients computed separately (the second from the first's
// final state as a constant), and the first chunk's input gets none from
// the second chunk's loss.
func TestTruncatedBPTT(t *testing.T) {
	rng := tensor.NewRand(4)
	m, err := nn.NewRNN[float64](rng, 3, 4, nn.RNNOptions{})
	must(t, err)
	x1, x2 := randParam(1, 3, 2, 3), randParam(2, 3, 2, 3)

	g := autograd.New[float64]()
	_, h := m.ForwardState(g, x1, nil)
	carried := tensor.New[float64](h.Shape()...) // the state outlives the graph's buffers
	carried.CopyFrom(h.Value)
	loss1 := g.Sum(h)
	out, _ := m.ForwardState(g, x2, g.Detach(h))
	g.Backward(g.Add(loss1, g.Sum(out)))
	truncated := nn.CloneStateDict(gradDict(m))
	if x1.Grad.Data()[0] == 0 {
		t.Fatal("first chunk's input got no gradient from its own loss")
	}
	gradX1 := x1.Grad.Clone()

	// The same, as two separate backward passes.
	nn.ZeroGrad[float64](m)
	x1.ZeroGrad()
	_, h = m.ForwardState(g, x1, nil)
	g.Backward(g.Sum(h))
	for i, v := range x1.Grad.Data() {
		if v != gradX1.Data()[i] {
			t.Fatalf("x1 grad[%d] = %v with the second chunk, %v without: gradient crossed the Detach", i, gradX1.Data()[i], v)
		}
	}
	out, _ = m.ForwardState(g, x2, autograd.NewConstant(carried))
	g.Backward(g.Sum(out))
	for i, e := range gradDict(m) {
		for j, v := range e.Tensor.Data() {
			if w := truncated[i].Tensor.Data()[j]; math.Abs(v-w) > 1e-12 {
				t.Fatalf("%s grad[%d] = %v in one pass, %v in two", e.Name, j, w, v)
			}
		}
	}

	// Without the Detach, gradient does flow back into the first chunk.
	x1.ZeroGrad()
	_, h = m.ForwardState(g, x1, nil)
	out, _ = m.ForwardState(g, x2, h)
	g.Backward(g.Sum(out))
	if x1.Grad.Data()[0] == 0 {
		t.Fatal("no gradient reached the first chunk through the carried state")
	}
}

func gradDict(m nn.Module[float64]) []nn.NamedTensor[float64] {
	var sd []nn.NamedTensor[float64]
	for _, p := range m.Parameters() {
		sd = append(sd, nn.NamedTensor[float64]{Name: p.Name, Tensor: p.Grad})
	}
	return sd
}

// TestRecurrentNamesAndInit checks PyTorch's names, shapes and default
// initialization U(±1/sqrt(hidden)).
func TestRecurrentNamesAndInit(t *testing.T) {
	m, err := nn.NewLSTM[float64](tensor.NewRand(1), 10, 20, nn.RNNOptions{NumLayers: 2, Bidirectional: true})
	must(t, err)
	var got []string
	for _, p := range m.Parameters() {
		got = append(got, fmt.Sprintf("%s%v", p.Name, p.Shape()))
		bound := 1 / math.Sqrt(20)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range p.Value.Data() {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		if lo < -bound || hi > bound || hi-lo < bound {
			t.Errorf("%s in [%v, %v], want spread over ±%v", p.Name, lo, hi, bound)
		}
	}
	want := "weight_ih_l0[80 10] weight_hh_l0[80 20] bias_ih_l0[80] bias_hh_l0[80] " +
		"weight_ih_l0_reverse[80 10] weight_hh_l0_reverse[80 20] bias_ih_l0_reverse[80] bias_hh_l0_reverse[80] " +
		"weight_ih_l1[80 40] weight_hh_l1[80 20] bias_ih_l1[80] bias_hh_l1[80] " +
		"weight_ih_l1_reverse[80 40] weight_hh_l1_reverse[80 20] bias_ih_l1_reverse[80] bias_hh_l1_reverse[80]"
	if s := strings.Join(got, " "); s != want {
		t.Fatalf("parameters\n%s\nwant\n%s", s, want)
	}
}

// TestRecurrentStepAllocatesNothing: a warm training step through every
// recurrent layer (two layers, both directions, dropout, initial states)
// and an embedding takes all its memory from the graph's pools.
func TestRecurrentStepAllocatesNothing(t *testing.T) {
	rng := tensor.NewRand(5)
	opts := nn.RNNOptions{NumLayers: 2, Bidirectional: true, BatchFirst: true, Dropout: 0.2}
	rnn, err := nn.NewRNN[float32](rng, 6, 8, opts)
	must(t, err)
	lstm, err := nn.NewLSTM[float32](rng, 6, 8, opts)
	must(t, err)
	gru, err := nn.NewGRU[float32](rng, 6, 8, opts)
	must(t, err)
	emb, err := nn.NewEmbedding[float32](rng, 10, 6)
	must(t, err)
	idx := tensor.New[float32](3, 5)
	for i := range idx.Data() {
		idx.Data()[i] = float32(i % 10)
	}
	x := autograd.NewConstant(idx)
	h0 := tensor.New[float32](4, 3, 8)
	h0.RandN(rng, 0, 1)
	h := autograd.NewConstant(h0)
	g := autograd.New[float32]()
	step := func() {
		e := emb.Forward(g, x)
		a, _ := rnn.ForwardState(g, e, h)
		b, _, _ := lstm.ForwardState(g, e, h, h)
		c, _ := gru.ForwardState(g, e, nil)
		g.Backward(g.Sum(g.Add(g.Add(a, b), c)))
	}
	step()
	if n := testing.AllocsPerRun(10, step); n != 0 {
		t.Fatalf("a warm step allocated %v times", n)
	}
}

func TestRecurrentConstructorErrors(t *testing.T) {
	rng := tensor.NewRand(1)
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"rnn nonlinearity", second(nn.NewRNN[float32](rng, 3, 4, nn.RNNOptions{Nonlinearity: "gelu"})), `nonlinearity "gelu": want tanh or relu`},
		{"lstm nonlinearity", second(nn.NewLSTM[float32](rng, 3, 4, nn.RNNOptions{Nonlinearity: "relu"})), "LSTM has no nonlinearity option"},
		{"gru size", second(nn.NewGRU[float32](rng, 0, 4, nn.RNNOptions{})), "GRU(input_size=0, hidden_size=4): sizes must be positive"},
		{"layers", second(nn.NewRNN[float32](rng, 3, 4, nn.RNNOptions{NumLayers: -1})), "num_layers -1"},
		{"dropout", second(nn.NewLSTM[float32](rng, 3, 4, nn.RNNOptions{Dropout: 1.5})), "dropout 1.5 outside [0, 1]"},
		{"no rng", second(nn.NewGRU[float32](nil, 3, 4, nn.RNNOptions{})), "needs a random source"},
		{"cell size", second(nn.NewLSTMCell[float32](rng, 3, -4, nn.CellOptions{})), "LSTMCell(input_size=3, hidden_size=-4)"},
		{"cell nonlinearity", second(nn.NewGRUCell[float32](rng, 3, 4, nn.CellOptions{Nonlinearity: "tanh"})), "GRUCell has no nonlinearity"},
		{"rnn cell nonlinearity", second(nn.NewRNNCell[float32](rng, 3, 4, nn.CellOptions{Nonlinearity: "sigmoid"})), `"sigmoid": want tanh or relu`},
		{"embedding", second(nn.NewEmbedding[float32](rng, 0, 4)), "Embedding(0, 4): sizes must be positive"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, c.err, c.want)
		}
	}
}

func second[A any](_ A, err error) error { return err }

// TestDropoutBetweenLayers: dropout applies to the outputs of every layer
// but the last, in training mode only. With p = 1 the second layer sees
// zeros, so its output no longer depends on the input; the last layer's
// own output is never dropped.
func TestDropoutBetweenLayers(t *testing.T) {
	m, err := nn.NewRNN[float64](tensor.NewRand(1), 3, 4, nn.RNNOptions{NumLayers: 2, Dropout: 1})
	must(t, err)
	x := randParam(2, 5, 1, 3)
	g := autograd.New[float64]()
	// Layer 2 on zero inputs from a zero state: h_1 = tanh(b), then
	// h_t = tanh(W_hh h_{t-1} + b): the same for any x.
	other := randParam(3, 5, 1, 3)
	a := m.Forward(g, x).Value.Clone()
	b := m.Forward(g, other).Value.Clone()
	if !slices.Equal(a.Data(), b.Data()) {
		t.Error("training mode with dropout 1: the output still depends on the input")
	}
	if slices.ContainsFunc(a.Data(), func(v float64) bool { return v == 0 }) {
		t.Error("the last layer's output was dropped")
	}
	nn.SetTraining[float64](m, false)
	a = m.Forward(g, x).Value.Clone()
	b = m.Forward(g, other).Value.Clone()
	if slices.Equal(a.Data(), b.Data()) {
		t.Error("evaluation mode: the output does not depend on the input (dropout still on)")
	}
}

// TestUnrolledEqualsFused: the unrolled tape (one node per step, what
// descent graph draws) and the fused op compute the same outputs and the
// same gradients, for every kind, in float64.
func TestUnrolledEqualsFused(t *testing.T) {
	type layer interface {
		nn.Module[float64]
		Parameters() []*autograd.Var[float64]
	}
	build := map[string]func(opts nn.RNNOptions) layer{
		"rnn": func(o nn.RNNOptions) layer {
			l, err := nn.NewRNN[float64](tensor.NewRand(3), 4, 5, o)
			must(t, err)
			return l
		},
		"lstm": func(o nn.RNNOptions) layer {
			l, err := nn.NewLSTM[float64](tensor.NewRand(3), 4, 5, o)
			must(t, err)
			return l
		},
		"gru": func(o nn.RNNOptions) layer {
			l, err := nn.NewGRU[float64](tensor.NewRand(3), 4, 5, o)
			must(t, err)
			return l
		},
	}
	for name, mk := range build {
		run := func(unrolled bool) ([]float64, [][]float64) {
			l := mk(nn.RNNOptions{NumLayers: 2, Bidirectional: true, BatchFirst: true, Unrolled: unrolled})
			x := randParam(9, 3, 6, 4)
			g := autograd.New[float64]()
			out := l.Forward(g, x)
			g.Backward(g.Sum(g.Mul(out, out)))
			var grads [][]float64
			for _, p := range append(l.Parameters(), x) {
				grads = append(grads, slices.Clone(p.Grad.Data()))
			}
			return slices.Clone(out.Value.Data()), grads
		}
		fo, fg := run(false)
		uo, ug := run(true)
		for i := range fo {
			if math.Abs(fo[i]-uo[i]) > 1e-12 {
				t.Fatalf("%s: output %d: fused %v, unrolled %v", name, i, fo[i], uo[i])
			}
		}
		for k := range fg {
			for i := range fg[k] {
				if math.Abs(fg[k][i]-ug[k][i]) > 1e-10*(1+math.Abs(fg[k][i])) {
					t.Fatalf("%s: gradient %d[%d]: fused %v, unrolled %v", name, k, i, fg[k][i], ug[k][i])
				}
			}
		}
	}
}
