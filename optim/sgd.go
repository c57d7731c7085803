package optim

import (
	"fmt"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kernel"
)

// SGDConfig holds torch.optim.SGD's arguments. Full-batch gradient
// descent, pure SGD and minibatch SGD are this same update applied to
// gradients of different batches.
type SGDConfig struct {
	LR          float64 `kv:"lr"`           // learning rate alpha (PyTorch 2.x default 1e-3)
	Momentum    float64 `kv:"momentum"`     // mu; 0 is plain gradient descent
	Dampening   float64 `kv:"dampening"`    // scales the new gradient in the buffer by 1-dampening
	WeightDecay float64 `kv:"weight_decay"` // L2 penalty added to the gradient
	Nesterov    bool    `kv:"nesterov"`     // Nesterov momentum; needs Momentum > 0 and Dampening 0
	Maximize    bool    `kv:"maximize"`     // ascend instead of descend
}

// SGDDefaults returns PyTorch's defaults.
func SGDDefaults() SGDConfig { return SGDConfig{LR: 1e-3} }

// Validate checks c as torch.optim.SGD does.
func (c SGDConfig) Validate() error {
	switch {
	case c.Momentum < 0:
		return fmt.Errorf("optim: sgd: invalid momentum %v (want >= 0)", c.Momentum)
	case c.Nesterov && (c.Momentum <= 0 || c.Dampening != 0):
		return fmt.Errorf("optim: sgd: Nesterov momentum requires a momentum > 0 and zero dampening (got momentum %v, dampening %v)", c.Momentum, c.Dampening)
	}
	return checkGroup("sgd", c.LR, c.WeightDecay)
}

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
	base[T, sgdState[T], *sgdState[T]]
	cfg SGDConfig
}

var _ Optimizer[float32] = (*SGD[float32])(nil)

// sgdState is SGD's state for one parameter: the buffer b, nil until the
// first step with momentum.
type sgdState[T Float] struct{ b []T }

func (s *sgdState[T]) fields() []field[T] { return []field[T]{buf("momentum_buffer", &s.b)} }

// NewSGD returns SGD over params; cfg must pass Validate.
func NewSGD[T Float](params []*autograd.Var[T], cfg SGDConfig) (*SGD[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := &SGD[T]{cfg: cfg}
	return o, o.init("sgd", params, cfg.LR, cfg.WeightDecay)
}

// SetMomentum sets mu (for cyclic momentum schedules).
func (o *SGD[T]) SetMomentum(m float64) { o.cfg.Momentum = m }

// Momentum returns the momentum in use (what a momentum schedule last set).
func (o *SGD[T]) Momentum() float64 { return o.cfg.Momentum }

// Step applies one SGD update (kernel.SGDStep is the loop above).
func (o *SGD[T]) Step() {
	for i := range o.slots {
		s := o.next(i)
		if s == nil {
			continue
		}
		st := &s.state
		fresh := st.b == nil // PyTorch's momentum_buffer is None: b = g
		if fresh && o.cfg.Momentum != 0 {
			st.b = s.zeros()
		}
		kernel.SGDStep(s.p(), s.g(), st.b, kernel.SGDParams{
			LR: s.group.LR, Momentum: o.cfg.Momentum, Dampening: o.cfg.Dampening,
			WeightDecay: s.group.WeightDecay, Nesterov: o.cfg.Nesterov, Maximize: o.cfg.Maximize}, fresh)
	}
}
