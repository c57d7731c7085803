package optim

import (
	"math"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kernel"
)

// RAdamConfig holds torch.optim.RAdam's arguments (betas split in two;
// betas=(b1,b2) sets both).
type RAdamConfig struct {
	LR          float64 `kv:"lr"`               // default 1e-3
	Beta1       float64 `kv:"beta1,list=betas"` // default 0.9
	Beta2       float64 `kv:"beta2,list=betas"` // default 0.999
	Eps         float64 `kv:"eps"`              // default 1e-8
	WeightDecay float64 `kv:"weight_decay"`     // L2 penalty added to the gradient
	Maximize    bool    `kv:"maximize"`
}

// RAdamDefaults returns PyTorch's defaults (Adam's).
func RAdamDefaults() RAdamConfig { return RAdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

// Validate checks c as torch.optim.RAdam does.
func (c RAdamConfig) Validate() error {
	if err := checkNonNeg("radam", "eps", c.Eps); err != nil {
		return err
	}
	if err := checkBetas("radam", c.Beta1, c.Beta2); err != nil {
		return err
	}
	return checkGroup("radam", c.LR, c.WeightDecay)
}

// RAdam is Rectified Adam: Liu, Jiang, He, Chen, Liu, Gao & Han, "On the
// Variance of the Adaptive Learning Rate and Beyond", ICLR 2020,
// arXiv:1908.03265.
//
// Early on, v rests on a handful of gradients and its variance is too
// large to trust; RAdam estimates the length rho_t of the moving average
// and uses the adaptive step only once rho_t > 5, scaled by a
// rectification term r_t; before that it takes a plain bias-corrected
// momentum step (SGD with momentum):
//
//	g = grad + weight_decay*p                (negated first if maximize)
//	m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g*g;  m^ = m/(1-b1^t)
//	rho_inf = 2/(1-b2) - 1;  rho_t = rho_inf - 2t*b2^t/(1-b2^t)
//	rho_t > 5:  r_t = sqrt((rho_t-4)(rho_t-2)rho_inf / ((rho_inf-4)(rho_inf-2)rho_t))
//	            p = p - lr * m^ * sqrt(1-b2^t)/(sqrt(v) + eps) * r_t
//	otherwise:  p = p - lr * m^
//
// PyTorch's form, which we follow, adds eps to sqrt(v) (the paper has no
// eps).
type RAdam[T Float] struct {
	base[T, radamState[T], *radamState[T]]
	cfg RAdamConfig
}

var _ Optimizer[float32] = (*RAdam[float32])(nil)

// radamState is RAdam's state for one parameter, zeros on its first step.
type radamState[T Float] struct{ m, v []T }

func (s *radamState[T]) fields() []field[T] {
	return []field[T]{buf("exp_avg", &s.m), buf("exp_avg_sq", &s.v)}
}

// NewRAdam returns RAdam over params; cfg must pass Validate.
func NewRAdam[T Float](params []*autograd.Var[T], cfg RAdamConfig) (*RAdam[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := &RAdam[T]{cfg: cfg}
	return o, o.init("radam", params, cfg.LR, cfg.WeightDecay)
}

// SetMomentum sets beta1 (for cyclic momentum schedules).
func (o *RAdam[T]) SetMomentum(m float64) { o.cfg.Beta1 = m }

// Momentum returns the beta1 in use (what a momentum schedule last set).
func (o *RAdam[T]) Momentum() float64 { return o.cfg.Beta1 }

// Step applies one RAdam update: rho_t and r_t here, the loop in
// kernel.RAdamStep.
func (o *RAdam[T]) Step() {
	b1, b2 := o.cfg.Beta1, o.cfg.Beta2
	for i := range o.slots {
		s := o.next(i)
		if s == nil {
			continue
		}
		st := &s.state
		if st.m == nil {
			st.m, st.v = s.zeros(), s.zeros()
		}
		t := float64(s.step)
		bc2 := 1 - math.Pow(b2, t)
		rhoInf := 2/(1-b2) - 1
		rhoT := rhoInf - 2*t*math.Pow(b2, t)/bc2
		h := kernel.RAdamParams{LR: s.group.LR, Beta1: b1, Beta2: b2, Eps: o.cfg.Eps, WeightDecay: s.group.WeightDecay,
			Bc1: 1 - math.Pow(b1, t), Maximize: o.cfg.Maximize}
		if rhoT > 5 {
			h.Rect = math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
			h.Bc2Sqrt = math.Sqrt(bc2)
		}
		kernel.RAdamStep(s.p(), s.g(), st.m, st.v, h)
	}
}
