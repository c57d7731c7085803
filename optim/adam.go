package optim

import (
	"math"

	"github.com/descent-ml/descent/autograd"
)

// AdamConfig holds torch.optim.Adam's arguments (betas split in two).
type AdamConfig struct {
	LR          float64 `opt:"lr"`           // step size alpha, default 1e-3
	Beta1       float64 `opt:"beta1"`        // decay of the first moment, default 0.9
	Beta2       float64 `opt:"beta2"`        // decay of the second moment, default 0.999
	Eps         float64 `opt:"eps"`          // added to the denominator, default 1e-8
	WeightDecay float64 `opt:"weight_decay"` // L2 penalty added to the gradient (AdamW decouples it)
	Amsgrad     bool    `opt:"amsgrad"`      // normalize by the running maximum of v
	Maximize    bool    `opt:"maximize"`     // ascend instead of descend
}

// AdamDefaults returns PyTorch's defaults, which are the paper's.
func AdamDefaults() AdamConfig {
	return AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
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
	base[T]
	cfg AdamConfig
	k   adamKernel[T]
	run func(lo, hi int)
}

var _ Optimizer[float32] = (*Adam[float32])(nil)

// NewAdam returns Adam over params, validating cfg as PyTorch does.
func NewAdam[T Float](params []*autograd.Var[T], cfg AdamConfig) (*Adam[T], error) {
	return newAdam(params, cfg, "adam")
}

func newAdam[T Float](params []*autograd.Var[T], cfg AdamConfig, name string) (*Adam[T], error) {
	if err := checkNonNeg(name, "eps", cfg.Eps); err != nil {
		return nil, err
	}
	if err := checkBetas(name, cfg.Beta1, cfg.Beta2); err != nil {
		return nil, err
	}
	o := &Adam[T]{cfg: cfg}
	if err := o.init(name, [3]string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}, params, cfg.LR, cfg.WeightDecay); err != nil {
		return nil, err
	}
	o.run = o.k.run
	return o, nil
}

// SetMomentum sets beta1 (for cyclic momentum schedules).
func (o *Adam[T]) SetMomentum(m float64) { o.cfg.Beta1 = m }

// Step applies one Adam (or AdamW) update.
func (o *Adam[T]) Step() {
	decoupled := o.name == "adamw"
	for i := range o.slots {
		s := o.next(i, [3]bool{true, true, o.cfg.Amsgrad})
		if s == nil || o.adamFast(s) {
			continue
		}
		lr, wd, t := s.group.LR, s.group.WeightDecay, float64(s.step)
		bc1 := 1 - math.Pow(o.cfg.Beta1, t)
		bc2 := 1 - math.Pow(o.cfg.Beta2, t)
		o.k = adamKernel[T]{p: s.v.Value.Data(), g: s.v.Grad.Data(), m: s.data(0), v: s.data(1), vmax: s.data(2),
			b1: T(o.cfg.Beta1), b2: T(o.cfg.Beta2), eps: T(o.cfg.Eps), step: T(lr / bc1), bc2sqrt: T(math.Sqrt(bc2)),
			decay: 1, wd: T(wd), maximize: o.cfg.Maximize}
		if decoupled {
			o.k.wd, o.k.decay = 0, T(1-lr*wd)
		}
		o.split.run(len(o.k.p), o.run)
	}
}

// adamKernel holds one parameter's slices and coefficients for adamStep.
type adamKernel[T Float] struct {
	p, g, m, v, vmax                  []T
	b1, b2, eps, step, bc2sqrt, decay T
	wd                                T
	maximize                          bool
}

func (k *adamKernel[T]) run(lo, hi int) {
	var vmax []T
	if k.vmax != nil {
		vmax = k.vmax[lo:hi]
	}
	adamStep(k.p[lo:hi], k.g[lo:hi], k.m[lo:hi], k.v[lo:hi], vmax,
		k.b1, k.b2, k.eps, k.step, k.bc2sqrt, k.decay, k.wd, k.maximize)
}

// adamStep is one Adam update of one tensor: step = lr/(1-b1^t),
// bc2sqrt = sqrt(1-b2^t), decay = 1-lr*wd for AdamW (else 1), wd the
// coupled L2 penalty (0 for AdamW), vmax nil without AMSGrad.
func adamStep[T Float](p, g, m, v, vmax []T, b1, b2, eps, step, bc2sqrt, decay, wd T, maximize bool) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := range p {
		if decay != 1 {
			p[i] *= decay
		}
		gi := grad(g[i], p[i], wd, maximize)
		m[i] = m[i]*b1 + (1-b1)*gi
		v[i] = v[i]*b2 + (1-b2)*gi*gi
		vi := v[i]
		if vmax != nil {
			vmax[i] = max(vmax[i], vi)
			vi = vmax[i]
		}
		denom := T(math.Sqrt(float64(vi)))/bc2sqrt + eps
		p[i] += -step * m[i] / denom
	}
}
