package optim

import (
	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kernel"
)

// RMSpropConfig holds torch.optim.RMSprop's arguments.
type RMSpropConfig struct {
	LR          float64 `kv:"lr"`           // default 1e-2
	Alpha       float64 `kv:"alpha"`        // decay of the mean square (the lecture's rho), default 0.99
	Eps         float64 `kv:"eps"`          // added outside the root, default 1e-8
	WeightDecay float64 `kv:"weight_decay"` // L2 penalty added to the gradient
	Momentum    float64 `kv:"momentum"`     // momentum on the normalized step
	Centered    bool    `kv:"centered"`     // divide by the variance estimate instead of the mean square
	Maximize    bool    `kv:"maximize"`
}

// RMSpropDefaults returns PyTorch's defaults.
func RMSpropDefaults() RMSpropConfig { return RMSpropConfig{LR: 1e-2, Alpha: 0.99, Eps: 1e-8} }

// Validate checks c as torch.optim.RMSprop does.
func (c RMSpropConfig) Validate() error {
	if err := checkNonNeg("rmsprop", "eps", c.Eps, "momentum", c.Momentum, "alpha", c.Alpha); err != nil {
		return err
	}
	return checkGroup("rmsprop", c.LR, c.WeightDecay)
}

// RMSprop is Tieleman & Hinton, "Lecture 6.5 - RMSProp: Divide the
// gradient by a running average of its recent magnitude", COURSERA:
// Neural Networks for Machine Learning, 2012; centered form from Graves,
// "Generating Sequences With Recurrent Neural Networks", 2013,
// arXiv:1308.0850.
//
// The lecture: G = rho*G + (1-rho)*g*g; w -= alpha/sqrt(G + eps) * g,
// typical rho 0.9. PyTorch calls rho alpha (default 0.99), puts eps
// outside the root, and adds optional momentum and centering:
//
//	g = grad + weight_decay*p                  (negated first if maximize)
//	G = alpha*G + (1-alpha)*g*g
//	avg = sqrt(G - gbar*gbar) + eps,  gbar = alpha*gbar + (1-alpha)*g   (centered)
//	avg = sqrt(G) + eps                                               (otherwise)
//	b = momentum*b + g/avg; p -= lr*b      (momentum > 0)
//	p -= lr * g/avg                         (otherwise)
type RMSprop[T Float] struct {
	base[T, rmspropState[T], *rmspropState[T]]
	cfg RMSpropConfig
}

var _ Optimizer[float32] = (*RMSprop[float32])(nil)

// rmspropState is RMSprop's state for one parameter, zeros from its first
// step; b and gbar exist only with momentum and centering.
type rmspropState[T Float] struct{ G, b, gbar []T }

func (s *rmspropState[T]) fields() []field[T] {
	return []field[T]{buf("square_avg", &s.G), buf("momentum_buffer", &s.b), buf("grad_avg", &s.gbar)}
}

// NewRMSprop returns RMSprop over params; cfg must pass Validate.
func NewRMSprop[T Float](params []*autograd.Var[T], cfg RMSpropConfig) (*RMSprop[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := &RMSprop[T]{cfg: cfg}
	return o, o.init("rmsprop", params, cfg.LR, cfg.WeightDecay)
}

// SetMomentum sets the momentum (for cyclic momentum schedules).
func (o *RMSprop[T]) SetMomentum(m float64) { o.cfg.Momentum = m }

// Momentum returns the momentum in use (what a momentum schedule last set).
func (o *RMSprop[T]) Momentum() float64 { return o.cfg.Momentum }

// Step applies one RMSprop update (kernel.RMSpropStep is the loop above).
func (o *RMSprop[T]) Step() {
	for i := range o.slots {
		s := o.next(i)
		if s == nil {
			continue
		}
		st := &s.state
		if st.G == nil {
			st.G = s.zeros()
		}
		if o.cfg.Momentum > 0 && st.b == nil {
			st.b = s.zeros()
		}
		if o.cfg.Centered && st.gbar == nil {
			st.gbar = s.zeros()
		}
		kernel.RMSpropStep(s.p(), s.g(), st.G, st.b, st.gbar, kernel.RMSpropParams{
			LR: s.group.LR, Alpha: o.cfg.Alpha, Eps: o.cfg.Eps, WeightDecay: s.group.WeightDecay,
			Momentum: o.cfg.Momentum, Centered: o.cfg.Centered, Maximize: o.cfg.Maximize})
	}
}
