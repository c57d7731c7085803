package optim

import (
	"fmt"

	"github.com/descent-ml/descent/autograd"
)

// SGDConfig holds torch.optim.SGD's arguments. Full-batch gradient
// descent, pure SGD and minibatch SGD are this same update applied to
// gradients of different batches.
type SGDConfig struct {
	LR          float64 `opt:"lr"`           // learning rate alpha (PyTorch 2.x default 1e-3)
	Momentum    float64 `opt:"momentum"`     // mu; 0 is plain gradient descent
	Dampening   float64 `opt:"dampening"`    // scales the new gradient in the buffer by 1-dampening
	WeightDecay float64 `opt:"weight_decay"` // L2 penalty added to the gradient
	Nesterov    bool    `opt:"nesterov"`     // Nesterov momentum; needs Momentum > 0 and Dampening 0
	Maximize    bool    `opt:"maximize"`     // ascend instead of descend
}

// SGDDefaults returns PyTorch's defaults.
func SGDDefaults() SGDConfig { return SGDConfig{LR: 1e-3} }

// SGD is stochastic gradient descent (Robbins & Monro, "A Stochastic
// Approximation Method", 1951) with momentum (Polyak, "Some methods of
// speeding up the convergence of iteration methods", 1964) and Nesterov
// momentum (Nesterov, 1983; in the form of Sutskever, Martens, Dahl,
// Hinton, "On the importance of initialization and momentum in deep
// learning", ICML 2013).
//
// The lecture writes momentum as a velocity, v = mu v - lr g; w += v, and
// Nesterov as v = mu v - lr grad(w + mu v). PyTorch (and descent) keep a
// buffer of gradients instead:
//
//	g = grad + weight_decay*p             (negated first if maximize)
//	b = g                                  on the first step (no dampening)
//	b = mu*b + (1-dampening)*g             afterwards
//	g = g + mu*b  (nesterov)   or   g = b
//	p = p - lr*g
//
// With a constant lr and no dampening the two are the same trajectory:
// v = -lr*b. They differ when lr changes (PyTorch's buffer does not carry
// the old lr). PyTorch's Nesterov form evaluates the gradient at the
// current weights and looks ahead through the buffer, which is the
// lecture's gradient-at-the-look-ahead-point rewritten in shifted weights.
type SGD[T Float] struct {
	base[T]
	cfg SGDConfig
	k   sgdKernel[T]
	run func(lo, hi int)
}

var _ Optimizer[float32] = (*SGD[float32])(nil)

// NewSGD returns SGD over params, validating cfg as PyTorch does.
func NewSGD[T Float](params []*autograd.Var[T], cfg SGDConfig) (*SGD[T], error) {
	switch {
	case cfg.Momentum < 0:
		return nil, fmt.Errorf("optim: sgd: invalid momentum %v (want >= 0)", cfg.Momentum)
	case cfg.Nesterov && (cfg.Momentum <= 0 || cfg.Dampening != 0):
		return nil, fmt.Errorf("optim: sgd: Nesterov momentum requires a momentum > 0 and zero dampening (got momentum %v, dampening %v)", cfg.Momentum, cfg.Dampening)
	}
	o := &SGD[T]{cfg: cfg}
	if err := o.init("sgd", [3]string{"momentum_buffer"}, params, cfg.LR, cfg.WeightDecay); err != nil {
		return nil, err
	}
	o.run = o.k.run
	return o, nil
}

// SetMomentum sets mu (for cyclic momentum schedules).
func (o *SGD[T]) SetMomentum(m float64) { o.cfg.Momentum = m }

// Step applies one SGD update.
func (o *SGD[T]) Step() {
	useBuf := o.cfg.Momentum != 0
	for i := range o.slots {
		fresh := o.slots[i].buf[0] == nil // PyTorch's momentum_buffer is None
		s := o.next(i, [3]bool{useBuf})
		if s == nil || o.sgdFast(s, fresh) {
			continue
		}
		o.k = sgdKernel[T]{p: s.v.Value.Data(), g: s.v.Grad.Data(), b: s.data(0),
			lr: T(s.group.LR), wd: T(s.group.WeightDecay), mu: T(o.cfg.Momentum),
			damp: 1 - T(o.cfg.Dampening), first: fresh,
			nesterov: o.cfg.Nesterov, maximize: o.cfg.Maximize}
		if !useBuf {
			o.k.b = nil
		}
		o.split.run(len(o.k.p), o.run)
	}
}

// sgdKernel holds one parameter's slices and coefficients for sgdStep.
type sgdKernel[T Float] struct {
	p, g, b                   []T
	lr, wd, mu, damp          T
	first, nesterov, maximize bool
}

func (k *sgdKernel[T]) run(lo, hi int) {
	var b []T
	if k.b != nil {
		b = k.b[lo:hi]
	}
	sgdStep(k.p[lo:hi], k.g[lo:hi], b, k.lr, k.wd, k.mu, k.damp, k.first, k.nesterov, k.maximize)
}

// sgdStep is PyTorch's SGD update for one tensor; b is nil without
// momentum. damp is 1-dampening; first marks the step that copies the
// gradient into the buffer.
func sgdStep[T Float](p, g, b []T, lr, wd, mu, damp T, first, nesterov, maximize bool) {
	g = g[:len(p)]
	for i := range p {
		d := g[i]
		if maximize {
			d = -d
		}
		if wd != 0 {
			d += wd * p[i]
		}
		if b != nil {
			if first {
				b[i] = d
			} else {
				b[i] = b[i]*mu + damp*d
			}
			if nesterov {
				d += mu * b[i]
			} else {
				d = b[i]
			}
		}
		p[i] += -lr * d
	}
}
