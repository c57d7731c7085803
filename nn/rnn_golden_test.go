package nn_test

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// rnnGolden is testdata/rnn_golden.json, written by
// testdata/make_rnn_golden.py: PyTorch's recurrent layers and cells in
// float64, with the gradients of L = Σ_k u_k ⊙ out_k (random u_k) with
// respect to every weight, the input and the initial states.
type rnnGolden struct {
	Input, Hidden, Batch int
	Cases                []rnnCase
}

type rnnCase struct {
	Name          string
	Kind          string // rnn_tanh, rnn_relu, lstm, gru
	Cell          bool
	T, Layers     int
	Bidirectional bool `json:"bidirectional"`
	BatchFirst    bool `json:"batch_first"`
	Bias          bool
	X             goldenTensor
	Params        map[string]goldenTensor
	ParamNames    []string `json:"param_names"`
	States        []goldenTensor
	Upstream      []goldenTensor
	Outs          []goldenTensor
	Grads         map[string]goldenTensor
}

// recurrentUnderTest runs a layer or a cell on x from the given states
// and returns its outputs in PyTorch's order (output, h_n[, c_n]).
type recurrentUnderTest struct {
	m   nn.Module[float64]
	run func(g *G, x *V, s []*V) []*V
}

// state returns s[i], or nil (zeros) when the case has no initial state.
func state(s []*V, i int) *V {
	if i < len(s) {
		return s[i]
	}
	return nil
}

func buildRecurrent(t *testing.T, gf *rnnGolden, c *rnnCase) recurrentUnderTest {
	t.Helper()
	rng := tensor.NewRand(1)
	nonlin := map[string]string{"rnn_tanh": "tanh", "rnn_relu": "relu"}[c.Kind]
	if c.Cell {
		opts := nn.CellOptions{Nonlinearity: nonlin, NoBias: !c.Bias}
		switch c.Kind {
		case "lstm":
			m, err := nn.NewLSTMCell[float64](rng, gf.Input, gf.Hidden, opts)
			must(t, err)
			return recurrentUnderTest{m, func(g *G, x *V, s []*V) []*V {
				h, cs := m.Step(g, x, state(s, 0), state(s, 1))
				return []*V{h, cs}
			}}
		case "gru":
			m, err := nn.NewGRUCell[float64](rng, gf.Input, gf.Hidden, opts)
			must(t, err)
			return recurrentUnderTest{m, func(g *G, x *V, s []*V) []*V { return []*V{m.Step(g, x, state(s, 0))} }}
		}
		m, err := nn.NewRNNCell[float64](rng, gf.Input, gf.Hidden, opts)
		must(t, err)
		return recurrentUnderTest{m, func(g *G, x *V, s []*V) []*V { return []*V{m.Step(g, x, state(s, 0))} }}
	}
	opts := nn.RNNOptions{NumLayers: c.Layers, Nonlinearity: nonlin, NoBias: !c.Bias,
		BatchFirst: c.BatchFirst, Bidirectional: c.Bidirectional}
	switch c.Kind {
	case "lstm":
		m, err := nn.NewLSTM[float64](rng, gf.Input, gf.Hidden, opts)
		must(t, err)
		return recurrentUnderTest{m, func(g *G, x *V, s []*V) []*V {
			out, h, cs := m.ForwardState(g, x, state(s, 0), state(s, 1))
			return []*V{out, h, cs}
		}}
	case "gru":
		m, err := nn.NewGRU[float64](rng, gf.Input, gf.Hidden, opts)
		must(t, err)
		return recurrentUnderTest{m, func(g *G, x *V, s []*V) []*V {
			out, h := m.ForwardState(g, x, state(s, 0))
			return []*V{out, h}
		}}
	}
	m, err := nn.NewRNN[float64](rng, gf.Input, gf.Hidden, opts)
	must(t, err)
	return recurrentUnderTest{m, func(g *G, x *V, s []*V) []*V {
		out, h := m.ForwardState(g, x, state(s, 0))
		return []*V{out, h}
	}}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func loadRNNGolden(t *testing.T) *rnnGolden {
	t.Helper()
	b, err := os.ReadFile("testdata/rnn_golden.json")
	must(t, err)
	var gf rnnGolden
	must(t, json.Unmarshal(b, &gf))
	if len(gf.Cases) == 0 {
		t.Fatal("no cases in testdata/rnn_golden.json")
	}
	return &gf
}

// TestRecurrentMatchesPyTorch checks, for RNN (tanh and relu), LSTM, GRU
// and their cells, over 1 and 2 layers, one and two directions, both input
// layouts and sequences of 1 and 7 steps: the parameter names and order,
// the outputs and final states, and every gradient (weights, input,
// initial states) after backpropagation through time, to 1e-10.
func TestRecurrentMatchesPyTorch(t *testing.T) {
	gf := loadRNNGolden(t)
	for _, c := range gf.Cases {
		t.Run(c.Name, func(t *testing.T) {
			u := buildRecurrent(t, gf, &c)
			var names []string
			for _, p := range u.m.Parameters() {
				names = append(names, p.Name)
			}
			if !slices.Equal(names, c.ParamNames) {
				t.Fatalf("parameters %v, PyTorch %v", names, c.ParamNames)
			}
			must(t, nn.LoadStateDict(u.m, stateDict(c.Params), true))
			x := autograd.NewParam(c.X.tensor(), "x")
			var states []*V
			for _, s := range c.States {
				states = append(states, autograd.NewParam(s.tensor(), ""))
			}
			g := autograd.New[float64]()
			outs := u.run(g, x, states)
			var loss *V
			for k, o := range outs {
				closeTo(t, "output "+string(rune('0'+k)), o.Value, c.Outs[k])
				term := g.Sum(g.Mul(o, autograd.NewConstant(c.Upstream[k].tensor())))
				if loss == nil {
					loss = term
				} else {
					loss = g.Add(loss, term)
				}
			}
			g.Backward(loss)
			for _, p := range u.m.Parameters() {
				closeTo(t, "grad "+p.Name, p.Grad, c.Grads[p.Name])
			}
			closeTo(t, "grad x", x.Grad, c.Grads["x"])
			for i, s := range states {
				closeTo(t, "grad state "+string(rune('0'+i)), s.Grad, c.Grads["state"+string(rune('0'+i))])
			}
		})
	}
}
