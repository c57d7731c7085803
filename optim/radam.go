package optim

import (
	"math"

	"github.com/descent-ml/descent/autograd"
)

// RAdamDefaults returns torch.optim.RAdam's defaults (Adam's). RAdam takes
// Adam's arguments but not amsgrad.
func RAdamDefaults() AdamConfig { return AdamDefaults() }

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
	base[T]
	cfg AdamConfig
	k   radamKernel[T]
	run func(lo, hi int)
}

var _ Optimizer[float32] = (*RAdam[float32])(nil)

// NewRAdam returns RAdam over params, validating cfg as PyTorch does;
// cfg.Amsgrad must be false.
func NewRAdam[T Float](params []*autograd.Var[T], cfg AdamConfig) (*RAdam[T], error) {
	if cfg.Amsgrad {
		return nil, errNoAmsgrad("radam")
	}
	if err := checkNonNeg("radam", "eps", cfg.Eps); err != nil {
		return nil, err
	}
	if err := checkBetas("radam", cfg.Beta1, cfg.Beta2); err != nil {
		return nil, err
	}
	o := &RAdam[T]{cfg: cfg}
	if err := o.init("radam", [3]string{"exp_avg", "exp_avg_sq"}, params, cfg.LR, cfg.WeightDecay); err != nil {
		return nil, err
	}
	o.run = o.k.run
	return o, nil
}

// SetMomentum sets beta1 (for cyclic momentum schedules).
func (o *RAdam[T]) SetMomentum(m float64) { o.cfg.Beta1 = m }

// Step applies one RAdam update.
func (o *RAdam[T]) Step() {
	b1, b2 := o.cfg.Beta1, o.cfg.Beta2
	for i := range o.slots {
		s := o.next(i, [3]bool{true, true})
		if s == nil {
			continue
		}
		t := float64(s.step)
		bc1, bc2 := 1-math.Pow(b1, t), 1-math.Pow(b2, t)
		rhoInf := 2/(1-b2) - 1
		rhoT := rhoInf - 2*t*math.Pow(b2, t)/bc2
		o.k = radamKernel[T]{p: s.v.Value.Data(), g: s.v.Grad.Data(), m: s.data(0), v: s.data(1),
			b1: T(b1), b2: T(b2), eps: T(o.cfg.Eps), wd: T(s.group.WeightDecay), bc1: T(bc1),
			lr: T(s.group.LR), maximize: o.cfg.Maximize}
		if rhoT > 5 {
			o.k.rect = T(math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)))
			o.k.bc2sqrt = T(math.Sqrt(bc2))
		}
		o.split.run(len(o.k.p), o.run)
	}
}

type radamKernel[T Float] struct {
	p, g, m, v                              []T
	b1, b2, eps, wd, bc1, lr, rect, bc2sqrt T
	maximize                                bool
}

func (k *radamKernel[T]) run(lo, hi int) {
	radamStep(k.p[lo:hi], k.g[lo:hi], k.m[lo:hi], k.v[lo:hi], k.b1, k.b2, k.eps, k.wd, k.bc1, k.lr, k.rect, k.bc2sqrt, k.maximize)
}

// radamStep is one RAdam update of one tensor; rect = 0 selects the
// un-rectified momentum step.
func radamStep[T Float](p, g, m, v []T, b1, b2, eps, wd, bc1, lr, rect, bc2sqrt T, maximize bool) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := range p {
		gi := grad(g[i], p[i], wd, maximize)
		m[i] = m[i]*b1 + (1-b1)*gi
		v[i] = v[i]*b2 + (1-b2)*gi*gi
		mhat := m[i] / bc1
		if rect != 0 {
			adaptive := bc2sqrt / (T(math.Sqrt(float64(v[i]))) + eps)
			p[i] += -(mhat * lr * adaptive * rect)
		} else {
			p[i] += -(mhat * lr)
		}
	}
}
