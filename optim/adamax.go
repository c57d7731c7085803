package optim

import (
	"math"

	"github.com/descent-ml/descent/autograd"
)

// AdamaxDefaults returns torch.optim.Adamax's defaults (lr 2e-3, the
// paper's alpha). Adamax takes Adam's arguments but not amsgrad.
func AdamaxDefaults() AdamConfig {
	c := AdamDefaults()
	c.LR = 2e-3
	return c
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
	base[T]
	cfg AdamConfig
	k   adamaxKernel[T]
	run func(lo, hi int)
}

var _ Optimizer[float32] = (*Adamax[float32])(nil)

// NewAdamax returns Adamax over params, validating cfg as PyTorch does;
// cfg.Amsgrad must be false.
func NewAdamax[T Float](params []*autograd.Var[T], cfg AdamConfig) (*Adamax[T], error) {
	if cfg.Amsgrad {
		return nil, errNoAmsgrad("adamax")
	}
	if err := checkNonNeg("adamax", "eps", cfg.Eps); err != nil {
		return nil, err
	}
	if err := checkBetas("adamax", cfg.Beta1, cfg.Beta2); err != nil {
		return nil, err
	}
	o := &Adamax[T]{cfg: cfg}
	if err := o.init("adamax", [3]string{"exp_avg", "exp_inf"}, params, cfg.LR, cfg.WeightDecay); err != nil {
		return nil, err
	}
	o.run = o.k.run
	return o, nil
}

// SetMomentum sets beta1 (for cyclic momentum schedules).
func (o *Adamax[T]) SetMomentum(m float64) { o.cfg.Beta1 = m }

// Step applies one Adamax update.
func (o *Adamax[T]) Step() {
	for i := range o.slots {
		s := o.next(i, [3]bool{true, true})
		if s == nil {
			continue
		}
		clr := s.group.LR / (1 - math.Pow(o.cfg.Beta1, float64(s.step)))
		o.k = adamaxKernel[T]{p: s.v.Value.Data(), g: s.v.Grad.Data(), m: s.data(0), u: s.data(1),
			b1: T(o.cfg.Beta1), b2: T(o.cfg.Beta2), eps: T(o.cfg.Eps), clr: T(clr), wd: T(s.group.WeightDecay),
			maximize: o.cfg.Maximize}
		o.split.run(len(o.k.p), o.run)
	}
}

type adamaxKernel[T Float] struct {
	p, g, m, u           []T
	b1, b2, eps, clr, wd T
	maximize             bool
}

func (k *adamaxKernel[T]) run(lo, hi int) {
	adamaxStep(k.p[lo:hi], k.g[lo:hi], k.m[lo:hi], k.u[lo:hi], k.b1, k.b2, k.eps, k.clr, k.wd, k.maximize)
}

// adamaxStep is one Adamax update of one tensor with step size
// clr = lr/(1-b1^t).
func adamaxStep[T Float](p, g, m, u []T, b1, b2, eps, clr, wd T, maximize bool) {
	g, m, u = g[:len(p)], m[:len(p)], u[:len(p)]
	for i := range p {
		gi := grad(g[i], p[i], wd, maximize)
		m[i] = m[i]*b1 + (1-b1)*gi
		u[i] = max(u[i]*b2, abs(gi)+eps)
		p[i] += -clr * m[i] / u[i]
	}
}

func abs[T Float](x T) T {
	if x < 0 {
		return -x
	}
	return x
}
