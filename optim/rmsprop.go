package optim

import (
	"math"

	"github.com/descent-ml/descent/autograd"
)

// RMSpropConfig holds torch.optim.RMSprop's arguments.
type RMSpropConfig struct {
	LR          float64 `opt:"lr"`           // default 1e-2
	Alpha       float64 `opt:"alpha"`        // decay of the mean square (the lecture's rho), default 0.99
	Eps         float64 `opt:"eps"`          // added outside the root, default 1e-8
	WeightDecay float64 `opt:"weight_decay"` // L2 penalty added to the gradient
	Momentum    float64 `opt:"momentum"`     // momentum on the normalized step
	Centered    bool    `opt:"centered"`     // divide by the variance estimate instead of the mean square
	Maximize    bool    `opt:"maximize"`
}

// RMSpropDefaults returns PyTorch's defaults.
func RMSpropDefaults() RMSpropConfig { return RMSpropConfig{LR: 1e-2, Alpha: 0.99, Eps: 1e-8} }

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
	base[T]
	cfg RMSpropConfig
	k   rmspropKernel[T]
	run func(lo, hi int)
}

var _ Optimizer[float32] = (*RMSprop[float32])(nil)

// NewRMSprop returns RMSprop over params, validating cfg as PyTorch does.
func NewRMSprop[T Float](params []*autograd.Var[T], cfg RMSpropConfig) (*RMSprop[T], error) {
	for _, c := range []struct {
		arg string
		v   float64
	}{{"eps", cfg.Eps}, {"momentum", cfg.Momentum}, {"alpha", cfg.Alpha}} {
		if err := checkNonNeg("rmsprop", c.arg, c.v); err != nil {
			return nil, err
		}
	}
	o := &RMSprop[T]{cfg: cfg}
	if err := o.init("rmsprop", [3]string{"square_avg", "momentum_buffer", "grad_avg"}, params, cfg.LR, cfg.WeightDecay); err != nil {
		return nil, err
	}
	o.run = o.k.run
	return o, nil
}

// SetMomentum sets the momentum (for cyclic momentum schedules).
func (o *RMSprop[T]) SetMomentum(m float64) { o.cfg.Momentum = m }

// Step applies one RMSprop update.
func (o *RMSprop[T]) Step() {
	useBuf := o.cfg.Momentum > 0
	for i := range o.slots {
		s := o.next(i, [3]bool{true, useBuf, o.cfg.Centered})
		if s == nil {
			continue
		}
		o.k = rmspropKernel[T]{p: s.v.Value.Data(), g: s.v.Grad.Data(), sq: s.data(0), buf: s.data(1), gavg: s.data(2),
			lr: T(s.group.LR), alpha: T(o.cfg.Alpha), eps: T(o.cfg.Eps), wd: T(s.group.WeightDecay),
			mu: T(o.cfg.Momentum), maximize: o.cfg.Maximize}
		if !useBuf {
			o.k.buf = nil
		}
		if !o.cfg.Centered {
			o.k.gavg = nil
		}
		o.split.run(len(o.k.p), o.run)
	}
}

type rmspropKernel[T Float] struct {
	p, g, sq, buf, gavg    []T
	lr, alpha, eps, wd, mu T
	maximize               bool
}

func (k *rmspropKernel[T]) run(lo, hi int) {
	rmspropStep(k.p[lo:hi], k.g[lo:hi], k.sq[lo:hi], part(k.buf, lo, hi), part(k.gavg, lo, hi),
		k.lr, k.alpha, k.eps, k.wd, k.mu, k.maximize)
}

// part returns s[lo:hi], or nil for an unused buffer.
func part[T Float](s []T, lo, hi int) []T {
	if s == nil {
		return nil
	}
	return s[lo:hi]
}

// rmspropStep is one RMSprop update of one tensor; buf is nil without
// momentum, gavg nil unless centered.
func rmspropStep[T Float](p, g, sq, buf, gavg []T, lr, alpha, eps, wd, mu T, maximize bool) {
	g, sq = g[:len(p)], sq[:len(p)]
	for i := range p {
		gi := grad(g[i], p[i], wd, maximize)
		sq[i] = sq[i]*alpha + (1-alpha)*gi*gi
		var avg T
		if gavg != nil {
			gavg[i] = gavg[i]*alpha + (1-alpha)*gi
			avg = T(math.Sqrt(float64(sq[i] + -gavg[i]*gavg[i])))
		} else {
			avg = T(math.Sqrt(float64(sq[i])))
		}
		avg += eps
		if buf != nil {
			buf[i] = buf[i]*mu + gi/avg
			p[i] += -lr * buf[i]
		} else {
			p[i] += -lr * gi / avg
		}
	}
}
