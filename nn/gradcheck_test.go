package nn_test

import (
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/autograd/gradcheck"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

type (
	G = autograd.Graph[float64]
	V = autograd.Var[float64]
)

// layerCheck is one row of the layer and loss gradient-check table: a
// module (its parameters are checked too) or a function of the input.
type layerCheck struct {
	name  string
	shape []int
	m     nn.Module[float64]                      // checked with its parameters, if set
	f     func(g *G, x *V) *autograd.Var[float64] // otherwise
}

// layerChecks lists every layer and loss of package nn. Adding a layer
// means adding a row. Inputs are N(0, 1), away from kinks almost surely.
func layerChecks(t *testing.T) []layerCheck {
	rng := tensor.NewRand(11)
	lin, err := nn.NewLinear[float64](rng, 4, 3, nn.LinearOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mlpA, _ := nn.NewLinear[float64](rng, 12, 5, nn.LinearOptions{})
	mlpB, _ := nn.NewLinear[float64](rng, 5, 3, nn.LinearOptions{})
	target := tensor.New[float64](3, 4)
	target.RandU(rng, 0, 1)
	classes := []int{2, 0, 3}
	rnn, _ := nn.NewRNN[float64](rng, 3, 4, nn.RNNOptions{NumLayers: 2, Bidirectional: true})
	rnnReLU, _ := nn.NewRNN[float64](rng, 3, 4, nn.RNNOptions{Nonlinearity: "relu", BatchFirst: true})
	lstm, _ := nn.NewLSTM[float64](rng, 3, 4, nn.RNNOptions{NumLayers: 2, Bidirectional: true, BatchFirst: true})
	lstmNoBias, _ := nn.NewLSTM[float64](rng, 3, 4, nn.RNNOptions{NoBias: true})
	gru, _ := nn.NewGRU[float64](rng, 3, 4, nn.RNNOptions{NumLayers: 2, Bidirectional: true})
	rnnCell, _ := nn.NewRNNCell[float64](rng, 3, 4, nn.CellOptions{})
	lstmCell, _ := nn.NewLSTMCell[float64](rng, 3, 4, nn.CellOptions{})
	gruCell, _ := nn.NewGRUCell[float64](rng, 3, 4, nn.CellOptions{})
	return []layerCheck{
		{"RNN/2 layers bidirectional", []int{5, 2, 3}, rnn, nil},
		{"RNN/relu batch first", []int{2, 5, 3}, rnnReLU, nil},
		{"LSTM/2 layers bidirectional batch first", []int{2, 5, 3}, lstm, nil},
		{"LSTM/no bias", []int{4, 2, 3}, lstmNoBias, nil},
		{"GRU/2 layers bidirectional", []int{5, 2, 3}, gru, nil},
		{"RNNCell", []int{2, 3}, rnnCell, nil},
		{"LSTMCell", []int{2, 3}, lstmCell, nil},
		{"GRUCell", []int{2, 3}, gruCell, nil},
		{"Linear", []int{3, 4}, lin, nil},
		{"Linear/3-d input", []int{2, 3, 4}, lin, nil},
		{"ReLU", []int{3, 4}, nn.ReLU[float64]{}, nil},
		{"LeakyReLU", []int{3, 4}, nn.LeakyReLU[float64]{Slope: 0.2}, nil},
		{"Tanh", []int{3, 4}, nn.Tanh[float64]{}, nil},
		{"Sigmoid", []int{3, 4}, nn.Sigmoid[float64]{}, nil},
		{"GELU", []int{3, 4}, nn.GELU[float64]{}, nil},
		{"Softmax", []int{3, 4}, nn.Softmax[float64]{Axis: -1}, nil},
		{"LogSoftmax/axis 0", []int{3, 4}, nn.LogSoftmax[float64]{Axis: 0}, nil},
		{"Flatten", []int{2, 3, 2}, nn.Flatten[float64]{}, nil},
		{"Identity", []int{3, 4}, nn.Identity[float64]{}, nil},
		{"Sequential", []int{2, 3, 4}, nn.NewSequential[float64](nn.Flatten[float64]{}, mlpA, nn.Tanh[float64]{}, mlpB), nil},
		{"CrossEntropyLoss", []int{3, 4}, nil, func(g *G, x *V) *V { return nn.CrossEntropyLoss(g, x, classes) }},
		{"NLLLoss", []int{3, 4}, nil, func(g *G, x *V) *V { return nn.NLLLoss(g, g.LogSoftmax(x, 1), classes) }},
		{"MSELoss", []int{3, 4}, nil, func(g *G, x *V) *V { return nn.MSELoss(g, x, autograd.NewConstant(target)) }},
		{"BCEWithLogitsLoss", []int{3, 4}, nil, func(g *G, x *V) *V { return nn.BCEWithLogitsLoss(g, x, autograd.NewConstant(target)) }},
	}
}

// TestGradcheckLayers checks every layer's and loss's gradient with
// respect to its input and its parameters against finite differences.
func TestGradcheckLayers(t *testing.T) {
	for i, c := range layerChecks(t) {
		t.Run(c.name, func(t *testing.T) {
			x := tensor.New[float64](c.shape...)
			x.RandN(tensor.NewRand(uint64(i)+100), 0, 1)
			inputs := []*V{autograd.NewParam(x, "x")}
			f := func(g *G, in []*V) *V { return c.f(g, in[0]) }
			if c.m != nil {
				inputs = append(inputs, c.m.Parameters()...)
				f = func(g *G, in []*V) *V { return c.m.Forward(g, in[0]) }
			}
			results, err := gradcheck.Check(f, inputs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(results) != len(inputs) {
				t.Fatalf("%d inputs checked, want %d", len(results), len(inputs))
			}
		})
	}
}
