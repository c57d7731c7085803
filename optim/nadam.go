package optim

import (
	"math"

	"github.com/descent-ml/descent/autograd"
)

// NAdamConfig holds torch.optim.NAdam's arguments (betas split in two).
type NAdamConfig struct {
	LR            float64 `opt:"lr"`             // default 2e-3
	Beta1         float64 `opt:"beta1"`          // default 0.9
	Beta2         float64 `opt:"beta2"`          // default 0.999
	Eps           float64 `opt:"eps"`            // default 1e-8
	WeightDecay   float64 `opt:"weight_decay"`   // L2 penalty added to the gradient
	MomentumDecay float64 `opt:"momentum_decay"` // psi of the momentum schedule, default 4e-3
	Maximize      bool    `opt:"maximize"`
}

// NAdamDefaults returns PyTorch's defaults.
func NAdamDefaults() NAdamConfig {
	return NAdamConfig{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, MomentumDecay: 4e-3}
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
	base[T]
	cfg NAdamConfig
	k   nadamKernel[T]
	run func(lo, hi int)
}

var _ Optimizer[float32] = (*NAdam[float32])(nil)

// NewNAdam returns NAdam over params, validating cfg as PyTorch does.
func NewNAdam[T Float](params []*autograd.Var[T], cfg NAdamConfig) (*NAdam[T], error) {
	if err := checkNonNeg("nadam", "eps", cfg.Eps); err != nil {
		return nil, err
	}
	if err := checkNonNeg("nadam", "momentum_decay", cfg.MomentumDecay); err != nil {
		return nil, err
	}
	if err := checkBetas("nadam", cfg.Beta1, cfg.Beta2); err != nil {
		return nil, err
	}
	o := &NAdam[T]{cfg: cfg}
	if err := o.init("nadam", [3]string{"exp_avg", "exp_avg_sq"}, params, cfg.LR, cfg.WeightDecay); err != nil {
		return nil, err
	}
	o.extraName = "mu_product"
	o.run = o.k.run
	return o, nil
}

// SetMomentum sets beta1 (for cyclic momentum schedules).
func (o *NAdam[T]) SetMomentum(m float64) { o.cfg.Beta1 = m }

// Step applies one NAdam update.
func (o *NAdam[T]) Step() {
	b1, psi := o.cfg.Beta1, o.cfg.MomentumDecay
	for i := range o.slots {
		s := o.next(i, [3]bool{true, true})
		if s == nil {
			continue
		}
		if s.step == 1 {
			s.extra = 1 // PyTorch's mu_product starts at 1
		}
		t, lr := float64(s.step), s.group.LR
		mu := b1 * (1 - 0.5*math.Pow(0.96, t*psi))
		muNext := b1 * (1 - 0.5*math.Pow(0.96, (t+1)*psi))
		s.extra *= mu
		o.k = nadamKernel[T]{p: s.v.Value.Data(), g: s.v.Grad.Data(), m: s.data(0), v: s.data(1),
			b1: T(b1), b2: T(o.cfg.Beta2), eps: T(o.cfg.Eps), wd: T(s.group.WeightDecay),
			bc2: T(1 - math.Pow(o.cfg.Beta2, t)),
			cg:  T(-lr * (1 - mu) / (1 - s.extra)), cm: T(-lr * muNext / (1 - s.extra*muNext)),
			maximize: o.cfg.Maximize}
		o.split.run(len(o.k.p), o.run)
	}
}

type nadamKernel[T Float] struct {
	p, g, m, v                   []T
	b1, b2, eps, wd, bc2, cg, cm T
	maximize                     bool
}

func (k *nadamKernel[T]) run(lo, hi int) {
	nadamStep(k.p[lo:hi], k.g[lo:hi], k.m[lo:hi], k.v[lo:hi], k.b1, k.b2, k.eps, k.wd, k.bc2, k.cg, k.cm, k.maximize)
}

// nadamStep is one NAdam update of one tensor: bc2 = 1-b2^t, cg and cm the
// (negative) step sizes of the gradient and momentum terms.
func nadamStep[T Float](p, g, m, v []T, b1, b2, eps, wd, bc2, cg, cm T, maximize bool) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := range p {
		gi := grad(g[i], p[i], wd, maximize)
		m[i] = m[i]*b1 + (1-b1)*gi
		v[i] = v[i]*b2 + (1-b2)*gi*gi
		d := T(math.Sqrt(float64(v[i]/bc2))) + eps
		p[i] += cg * gi / d
		p[i] += cm * m[i] / d
	}
}
