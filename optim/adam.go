package optim

import (
	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kernel"
)

// AdamConfig holds torch.optim.Adam's (and AdamW's) arguments; betas is
// split in two, and betas=(b1,b2) sets both.
type AdamConfig struct {
	LR          float64 `kv:"lr"`               // step size alpha, default 1e-3
	Beta1       float64 `kv:"beta1,list=betas"` // decay of the first moment, default 0.9
	Beta2       float64 `kv:"beta2,list=betas"` // decay of the second moment, default 0.999
	Eps         float64 `kv:"eps"`              // added to the denominator, default 1e-8
	WeightDecay float64 `kv:"weight_decay"`     // L2 penalty added to the gradient (AdamW decouples it)
	Amsgrad     bool    `kv:"amsgrad"`          // normalize by the running maximum of v
	Maximize    bool    `kv:"maximize"`         // ascend instead of descend
}

// AdamDefaults returns PyTorch's defaults, which are the paper's.
func AdamDefaults() AdamConfig {
	return AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Validate checks c as torch.optim.Adam does.
func (c AdamConfig) Validate() error { return c.validate("adam") }

func (c AdamConfig) validate(name string) error {
	if err := checkNonNeg(name, "eps", c.Eps); err != nil {
		return err
	}
	if err := checkBetas(name, c.Beta1, c.Beta2); err != nil {
		return err
	}
	return checkGroup(name, c.LR, c.WeightDecay)
}

// Adam is Kingma & Ba, "Adam: A Method for Stochastic Optimization", 2014,
// arXiv:1412.6980, with AMSGrad from Reddi, Kale & Kumar, "On the
// Convergence of Adam and Beyond", ICLR 2018.
//
// The lecture (Algorithm 1) bias-corrects both moments and divides:
// theta -= alpha * m^/(sqrt(v^) + eps). PyTorch folds the corrections into
// the step size and the denominator, which is the same except that eps is
// scaled: eps is added to sqrt(v)/sqrt(1-b2^t), i.e. to sqrt(v^), exactly
// as in the paper:
//
//	g = grad + weight_decay*p                (negated first if maximize)
//	m = b1*m + (1-b1)*g
//	v = b2*v + (1-b2)*g*g
//	vmax = max(vmax, v)                      (amsgrad: the max of the raw v)
//	p = p - lr/(1-b1^t) * m / (sqrt(v or vmax)/sqrt(1-b2^t) + eps)
type Adam[T Float] struct {
	base[T, adamState[T], *adamState[T]]
	cfg       AdamConfig
	decoupled bool // AdamW: weight decay shrinks p instead of joining g
}

var _ Optimizer[float32] = (*Adam[float32])(nil)

// adamState is Adam's state for one parameter, allocated on its first
// step.
type adamState[T Float] struct {
	m, v []T // the moments, zeros at first
	vmax []T // the running maximum of v (amsgrad only)
}

func (s *adamState[T]) fields() []field[T] {
	return []field[T]{buf("exp_avg", &s.m), buf("exp_avg_sq", &s.v), buf("max_exp_avg_sq", &s.vmax)}
}

// NewAdam returns Adam over params; cfg must pass Validate.
func NewAdam[T Float](params []*autograd.Var[T], cfg AdamConfig) (*Adam[T], error) {
	return newAdam(params, cfg, "adam", false)
}

func newAdam[T Float](params []*autograd.Var[T], cfg AdamConfig, name string, decoupled bool) (*Adam[T], error) {
	if err := cfg.validate(name); err != nil {
		return nil, err
	}
	o := &Adam[T]{cfg: cfg, decoupled: decoupled}
	return o, o.init(name, params, cfg.LR, cfg.WeightDecay)
}

// SetMomentum sets beta1 (for cyclic momentum schedules).
func (o *Adam[T]) SetMomentum(m float64) { o.cfg.Beta1 = m }

// Momentum returns the beta1 in use (what a momentum schedule last set).
func (o *Adam[T]) Momentum() float64 { return o.cfg.Beta1 }

// Step applies one Adam (or AdamW) update; kernel.AdamStep is the loop,
// with lr/(1-b1^t) and sqrt(1-b2^t) computed once per step.
func (o *Adam[T]) Step() {
	for i := range o.slots {
		s := o.next(i)
		if s == nil {
			continue
		}
		st := &s.state
		if st.m == nil {
			st.m, st.v = s.zeros(), s.zeros()
		}
		if o.cfg.Amsgrad && st.vmax == nil {
			st.vmax = s.zeros()
		}
		kernel.AdamStep(s.p(), s.g(), st.m, st.v, st.vmax, kernel.AdamParams{
			LR: s.group.LR, Beta1: o.cfg.Beta1, Beta2: o.cfg.Beta2, Eps: o.cfg.Eps,
			WeightDecay: s.group.WeightDecay, Decoupled: o.decoupled, Maximize: o.cfg.Maximize}, s.step)
	}
}
