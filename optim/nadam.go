package optim

import (
	"math"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kernel"
)

// NAdamConfig holds torch.optim.NAdam's arguments (betas split in two).
type NAdamConfig struct {
	LR            float64 `kv:"lr"`               // default 2e-3
	Beta1         float64 `kv:"beta1,list=betas"` // default 0.9
	Beta2         float64 `kv:"beta2,list=betas"` // default 0.999
	Eps           float64 `kv:"eps"`              // default 1e-8
	WeightDecay   float64 `kv:"weight_decay"`     // L2 penalty added to the gradient
	MomentumDecay float64 `kv:"momentum_decay"`   // psi of the momentum schedule, default 4e-3
	Maximize      bool    `kv:"maximize"`
}

// NAdamDefaults returns PyTorch's defaults.
func NAdamDefaults() NAdamConfig {
	return NAdamConfig{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, MomentumDecay: 4e-3}
}

// Validate checks c as torch.optim.NAdam does.
func (c NAdamConfig) Validate() error {
	if err := checkNonNeg("nadam", "eps", c.Eps, "momentum_decay", c.MomentumDecay); err != nil {
		return err
	}
	if err := checkBetas("nadam", c.Beta1, c.Beta2); err != nil {
		return err
	}
	return checkGroup("nadam", c.LR, c.WeightDecay)
}

// NAdam is Adam with Nesterov momentum: Dozat, "Incorporating Nesterov
// Momentum into Adam", ICLR 2016 workshop (Stanford report, 2015).
//
// Like Nesterov's method it looks ahead: the step mixes the current
// gradient and the momentum that the next step will use, each
// bias-corrected by the running product of the momentum schedule
// mu_t = b1*(1 - 0.5*0.96^(t*psi)):
//
//	g = grad + weight_decay*p                    (negated first if maximize)
//	P_t = P_{t-1}*mu_t                           (the product, kept in float64)
//	m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g*g
//	d = sqrt(v/(1-b2^t)) + eps
//	p = p - lr*(1-mu_t)/(1-P_t) * g/d - lr*mu_{t+1}/(1-P_t*mu_{t+1}) * m/d
//
// This is PyTorch 2.x's NAdam. PyTorch 1.13 differs: it keeps the product
// in a float32 tensor and multiplies mu_t in twice in the second
// correction (1 - P_t*mu_t*mu_{t+1}); 2.x fixed both and we follow 2.x.
type NAdam[T Float] struct {
	base[T, nadamState[T], *nadamState[T]]
	cfg NAdamConfig
}

var _ Optimizer[float32] = (*NAdam[float32])(nil)

// nadamState is NAdam's state for one parameter, made on its first step.
type nadamState[T Float] struct {
	m, v []T     // the moments, zeros at first
	P    float64 // the product of the momentum schedule, 1 at first (float64, as in PyTorch 2.x)
}

func (s *nadamState[T]) fields() []field[T] {
	return []field[T]{buf("exp_avg", &s.m), buf("exp_avg_sq", &s.v), scalar[T]("mu_product", &s.P)}
}

// NewNAdam returns NAdam over params; cfg must pass Validate.
func NewNAdam[T Float](params []*autograd.Var[T], cfg NAdamConfig) (*NAdam[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := &NAdam[T]{cfg: cfg}
	return o, o.init("nadam", params, cfg.LR, cfg.WeightDecay)
}

// SetMomentum sets beta1 (for cyclic momentum schedules).
func (o *NAdam[T]) SetMomentum(m float64) { o.cfg.Beta1 = m }

// Momentum returns the beta1 in use (what a momentum schedule last set).
func (o *NAdam[T]) Momentum() float64 { return o.cfg.Beta1 }

// Step applies one NAdam update: the momentum schedule mu_t, mu_{t+1} and
// the product P_t here, the loop in kernel.NAdamStep.
func (o *NAdam[T]) Step() {
	b1, psi := o.cfg.Beta1, o.cfg.MomentumDecay
	for i := range o.slots {
		s := o.next(i)
		if s == nil {
			continue
		}
		st := &s.state
		if st.m == nil {
			st.m, st.v, st.P = s.zeros(), s.zeros(), 1
		}
		t, lr := float64(s.step), s.group.LR
		mu := b1 * (1 - 0.5*math.Pow(0.96, t*psi))
		muNext := b1 * (1 - 0.5*math.Pow(0.96, (t+1)*psi))
		st.P *= mu // P_t = P_{t-1}*mu_t
		kernel.NAdamStep(s.p(), s.g(), st.m, st.v, kernel.NAdamParams{
			Beta1: b1, Beta2: o.cfg.Beta2, Eps: o.cfg.Eps, WeightDecay: s.group.WeightDecay,
			Bc2:    1 - math.Pow(o.cfg.Beta2, t),
			LRGrad: lr * (1 - mu) / (1 - st.P), LRMomentum: lr * muNext / (1 - st.P*muNext),
			Maximize: o.cfg.Maximize})
	}
}
