package optim

import (
	"math"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kernel"
)

// AdamaxConfig holds torch.optim.Adamax's arguments (betas split in two;
// betas=(b1,b2) sets both).
type AdamaxConfig struct {
	LR          float64 `kv:"lr"`               // alpha, default 2e-3
	Beta1       float64 `kv:"beta1,list=betas"` // decay of the first moment, default 0.9
	Beta2       float64 `kv:"beta2,list=betas"` // decay of the infinity norm, default 0.999
	Eps         float64 `kv:"eps"`              // added to |g|, default 1e-8
	WeightDecay float64 `kv:"weight_decay"`     // L2 penalty added to the gradient
	Maximize    bool    `kv:"maximize"`
}

// AdamaxDefaults returns PyTorch's defaults (lr 2e-3, the paper's alpha).
func AdamaxDefaults() AdamaxConfig {
	return AdamaxConfig{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Validate checks c as torch.optim.Adamax does.
func (c AdamaxConfig) Validate() error {
	if err := checkNonNeg("adamax", "eps", c.Eps); err != nil {
		return err
	}
	if err := checkBetas("adamax", c.Beta1, c.Beta2); err != nil {
		return err
	}
	return checkGroup("adamax", c.LR, c.WeightDecay)
}

// Adamax is the infinity-norm variant of Adam, Algorithm 2 of Kingma & Ba,
// "Adam: A Method for Stochastic Optimization", 2014, arXiv:1412.6980.
//
// The lecture: u = max(b2*u, |g|); theta -= alpha/(1-b1^t) * m/u. PyTorch
// adds eps to |g| inside the max, so u > 0 from the first step:
//
//	g = grad + weight_decay*p              (negated first if maximize)
//	m = b1*m + (1-b1)*g
//	u = max(b2*u, |g| + eps)
//	p = p - lr/(1-b1^t) * m/u
type Adamax[T Float] struct {
	base[T, adamaxState[T], *adamaxState[T]]
	cfg AdamaxConfig
}

var _ Optimizer[float32] = (*Adamax[float32])(nil)

// adamaxState is Adamax's state for one parameter, zeros on its first
// step.
type adamaxState[T Float] struct {
	m []T // the first moment
	u []T // the exponentially weighted infinity norm
}

func (s *adamaxState[T]) fields() []field[T] {
	return []field[T]{buf("exp_avg", &s.m), buf("exp_inf", &s.u)}
}

// NewAdamax returns Adamax over params; cfg must pass Validate.
func NewAdamax[T Float](params []*autograd.Var[T], cfg AdamaxConfig) (*Adamax[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := &Adamax[T]{cfg: cfg}
	return o, o.init("adamax", params, cfg.LR, cfg.WeightDecay)
}

// SetMomentum sets beta1 (for cyclic momentum schedules).
func (o *Adamax[T]) SetMomentum(m float64) { o.cfg.Beta1 = m }

// Momentum returns the beta1 in use (what a momentum schedule last set).
func (o *Adamax[T]) Momentum() float64 { return o.cfg.Beta1 }

// Step applies one Adamax update (kernel.AdamaxStep, with the step size
// lr/(1-b1^t) computed here).
func (o *Adamax[T]) Step() {
	for i := range o.slots {
		s := o.next(i)
		if s == nil {
			continue
		}
		st := &s.state
		if st.m == nil {
			st.m, st.u = s.zeros(), s.zeros()
		}
		clr := s.group.LR / (1 - math.Pow(o.cfg.Beta1, float64(s.step)))
		kernel.AdamaxStep(s.p(), s.g(), st.m, st.u, kernel.AdamaxParams{
			LR: clr, Beta1: o.cfg.Beta1, Beta2: o.cfg.Beta2, Eps: o.cfg.Eps,
			WeightDecay: s.group.WeightDecay, Maximize: o.cfg.Maximize})
	}
}
