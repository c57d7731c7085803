package nn_test

import (
	"fmt"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// An LSTM over a batch of sequences, PyTorch's shapes and names: output
// holds the last layer's h_t for every step, h_n and c_n every layer's
// final states.
func ExampleLSTM() {
	rng := tensor.NewRand(1)
	lstm, _ := nn.NewLSTM[float32](rng, 10, 20, nn.RNNOptions{NumLayers: 2, BatchFirst: true})
	x := tensor.New[float32](3, 5, 10) // [batch, seq, input_size]
	x.RandN(rng, 0, 1)
	g := autograd.New[float32]()
	output, hn, cn := lstm.ForwardState(g, autograd.NewConstant(x), nil, nil)
	fmt.Println(output.Shape(), hn.Shape(), cn.Shape())
	for _, p := range lstm.Parameters()[:4] {
		fmt.Println(p.Name, p.Shape())
	}
	// Output:
	// [3 5 20] [2 3 20] [2 3 20]
	// weight_ih_l0 [80 10]
	// weight_hh_l0 [80 20]
	// bias_ih_l0 [80]
	// bias_hh_l0 [80]
}

// Truncated backpropagation through time over a long stream: each chunk
// starts from the previous chunk's final state, as a constant, so the
// gradient stops at the chunk boundary while the state carries on. The
// graph recycles its buffers at the next step, so the state is copied out
// (Detach would cut the gradient too, but shares the recycled buffer: it
// suits a state carried within one graph).
func ExampleRNN_truncatedBPTT() {
	rng := tensor.NewRand(1)
	rnn, _ := nn.NewRNN[float64](rng, 4, 8, nn.RNNOptions{})
	stream := tensor.New[float64](12, 2, 4) // [seq, batch, input]: 3 chunks of 4 steps
	stream.RandN(rng, 0, 1)
	state := tensor.New[float64](1, 2, 8) // [layers, batch, hidden], zero at the start
	g := autograd.New[float64]()
	for c := 0; c < 12; c += 4 {
		chunk := tensor.FromSlice(stream.Data()[c*2*4:(c+4)*2*4], 4, 2, 4)
		out, hn := rnn.ForwardState(g, autograd.NewConstant(chunk), autograd.NewConstant(state))
		loss := g.Mean(g.Mul(out, out))
		nn.ZeroGrad[float64](rnn)
		g.Backward(loss)
		state.CopyFrom(hn.Value) // readable until the next op; an optimizer step would go here
		fmt.Printf("chunk %d: loss %.3f\n", c/4, loss.Value.Data()[0])
	}
	// Output:
	// chunk 0: loss 0.190
	// chunk 1: loss 0.154
	// chunk 2: loss 0.195
}
