package optim

import "github.com/descent-ml/descent/autograd"

// AdamWDefaults returns torch.optim.AdamW's defaults: Adam's, with
// weight_decay 1e-2.
func AdamWDefaults() AdamConfig {
	c := AdamDefaults()
	c.WeightDecay = 1e-2
	return c
}

// NewAdamW returns AdamW: Loshchilov & Hutter, "Decoupled Weight Decay
// Regularization", 2017, arXiv:1711.05101. It is Adam with the weight
// decay taken out of the gradient (where Adam's normalization would
// rescale it) and applied to the weights directly, before the update:
//
//	p = p * (1 - lr*weight_decay)
//	p = p - Adam's step on the raw gradient
//
// PyTorch multiplies by lr*weight_decay, not by the paper's schedule
// multiplier alone; we follow PyTorch. The update shares Adam's code.
func NewAdamW[T Float](params []*autograd.Var[T], cfg AdamConfig) (*AdamW[T], error) {
	a, err := newAdam(params, cfg, "adamw", true)
	if err != nil {
		return nil, err
	}
	return &AdamW[T]{a}, nil
}

// AdamW is Adam with decoupled weight decay; see NewAdamW.
type AdamW[T Float] struct{ *Adam[T] }

var _ Optimizer[float32] = (*AdamW[float32])(nil)
