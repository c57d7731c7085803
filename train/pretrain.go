package train

import (
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// PretrainOptions configure greedy layer-wise autoencoder pretraining.
type PretrainOptions struct {
	Epochs    int     // passes over the data per layer; default 1
	BatchSize int     // default 128
	LR        float64 // Adam's learning rate; default 1e-3
	Seed      uint64
	Out       io.Writer // one line per layer; nil is silent
}

// PretrainAutoencoder initializes the hidden layers of an MLP without
// labels, the lecture's "from a model pretrained without labels": greedy
// layer-wise autoencoders in the manner of Bengio, Lamblin, Popovici and
// Larochelle, "Greedy Layer-Wise Training of Deep Networks" (NIPS 2006).
//
// model must be a Sequential of Linear layers separated by activations
// (models.MLP). For each hidden Linear layer in turn, the layers below it
// are frozen and run without gradients to give the layer's input h; the
// layer and its activation encode h, a fresh linear decoder maps the code
// back, and both are trained with Adam to minimize the mean squared
// reconstruction error ||decode(act(W h + b)) - h||². The trained encoder
// weights stay in the model; the decoders are discarded. The output layer
// is left to supervised training.
func PretrainAutoencoder(model *nn.Sequential[float32], ds data.Dataset, o PretrainOptions) error {
	if o.Epochs <= 0 {
		o.Epochs = 1
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 128
	}
	if o.LR <= 0 {
		o.LR = 1e-3
	}
	var linears []int
	for i, l := range model.Layers {
		if _, ok := l.(*nn.Linear[float32]); ok {
			linears = append(linears, i)
		} else if len(l.Parameters()) > 0 {
			return fmt.Errorf("train: autoencoder pretraining needs an MLP of Linear layers and activations; layer %d is %T", i, l)
		}
	}
	if len(linears) < 2 {
		return fmt.Errorf("train: autoencoder pretraining needs at least one hidden layer")
	}
	rng := tensor.NewRand(o.Seed ^ 0xae)
	for _, li := range linears[:len(linears)-1] {
		if err := pretrainLayer(model, li, ds, o, rng); err != nil {
			return err
		}
	}
	return nil
}

// pretrainLayer trains layer li (and its activation li+1, if any) as the
// encoder of an autoencoder on the output of the layers below it.
func pretrainLayer(model *nn.Sequential[float32], li int, ds data.Dataset, o PretrainOptions, rng *rand.Rand) error {
	enc := model.Layers[li].(*nn.Linear[float32])
	in, out := enc.Weight.Value.Dim(1), enc.Weight.Value.Dim(0)
	dec, err := nn.NewLinear[float32](rng, out, in, nn.LinearOptions{})
	if err != nil {
		return err
	}
	params := append(append([]*autograd.Var[float32]{}, enc.Parameters()...), dec.Parameters()...)
	opt, err := optim.NewAdam(params, optim.AdamConfig{LR: o.LR, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
	if err != nil {
		return err
	}
	loader, err := data.NewLoader[float32](ds, data.LoaderOptions{BatchSize: o.BatchSize, Flat: true}, rng)
	if err != nil {
		return err
	}
	var act nn.Module[float32]
	if li+1 < len(model.Layers) && len(model.Layers[li+1].Parameters()) == 0 {
		act = model.Layers[li+1]
	}
	g := autograd.New[float32]()
	x := autograd.NewConstant(tensor.New[float32](0))
	var last float64
	for epoch := range o.Epochs {
		var sum float64
		var n int
		for _, b := range loader.Epoch(epoch) {
			x.Value = b.X
			var h *autograd.Var[float32]
			g.NoGrad(func() {
				h = x
				for _, l := range model.Layers[:li] {
					h = l.Forward(g, h)
				}
			})
			code := enc.Forward(g, h)
			if act != nil {
				code = act.Forward(g, code)
			}
			loss := g.MSE(dec.Forward(g, code), h)
			sum += float64(loss.Value.Item()) * float64(len(b.Labels))
			n += len(b.Labels)
			opt.ZeroGrad()
			g.Backward(loss)
			opt.Step()
		}
		last = sum / float64(n)
	}
	if o.Out != nil {
		fmt.Fprintf(o.Out, "pretrain layer %d (%d -> %d): reconstruction MSE %.4f after %d epoch(s)\n", li, in, out, last, o.Epochs)
	}
	return nil
}
