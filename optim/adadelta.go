package optim

import (
	"fmt"
	"math"

	"github.com/descent-ml/descent/autograd"
)

// AdadeltaConfig holds torch.optim.Adadelta's arguments.
type AdadeltaConfig struct {
	LR          float64 `opt:"lr"`           // multiplies the step; default 1.0 (the paper has none)
	Rho         float64 `opt:"rho"`          // decay of both running averages, default 0.9
	Eps         float64 `opt:"eps"`          // inside both roots, default 1e-6
	WeightDecay float64 `opt:"weight_decay"` // L2 penalty added to the gradient
	Maximize    bool    `opt:"maximize"`
}

// AdadeltaDefaults returns PyTorch's defaults.
func AdadeltaDefaults() AdadeltaConfig { return AdadeltaConfig{LR: 1, Rho: 0.9, Eps: 1e-6} }

// Adadelta is Zeiler, "ADADELTA: An Adaptive Learning Rate Method", 2012,
// arXiv:1212.5701.
//
// The lecture's form and PyTorch's are the same rule (eps inside both
// roots); PyTorch multiplies the step by lr, which is 1 by default, so
// that schedules can act on it:
//
//	g = grad + weight_decay*p                      (negated first if maximize)
//	G = rho*G + (1-rho)*g*g
//	delta = sqrt(D + eps)/sqrt(G + eps) * g        (the units of w: D holds squared steps)
//	D = rho*D + (1-rho)*delta*delta
//	p = p - lr*delta
type Adadelta[T Float] struct {
	base[T]
	cfg AdadeltaConfig
	k   adadeltaKernel[T]
	run func(lo, hi int)
}

var _ Optimizer[float32] = (*Adadelta[float32])(nil)

// NewAdadelta returns Adadelta over params, validating cfg as PyTorch does.
func NewAdadelta[T Float](params []*autograd.Var[T], cfg AdadeltaConfig) (*Adadelta[T], error) {
	if !(0 <= cfg.Rho && cfg.Rho <= 1) {
		return nil, fmt.Errorf("optim: adadelta: invalid rho %v (want 0 <= rho <= 1)", cfg.Rho)
	}
	if err := checkNonNeg("adadelta", "eps", cfg.Eps); err != nil {
		return nil, err
	}
	o := &Adadelta[T]{cfg: cfg}
	if err := o.init("adadelta", [3]string{"square_avg", "acc_delta"}, params, cfg.LR, cfg.WeightDecay); err != nil {
		return nil, err
	}
	o.run = o.k.run
	return o, nil
}

// Step applies one Adadelta update.
func (o *Adadelta[T]) Step() {
	for i := range o.slots {
		s := o.next(i, [3]bool{true, true})
		if s == nil {
			continue
		}
		o.k = adadeltaKernel[T]{p: s.v.Value.Data(), g: s.v.Grad.Data(), sq: s.data(0), acc: s.data(1),
			lr: T(s.group.LR), rho: T(o.cfg.Rho), eps: T(o.cfg.Eps), wd: T(s.group.WeightDecay), maximize: o.cfg.Maximize}
		o.split.run(len(o.k.p), o.run)
	}
}

type adadeltaKernel[T Float] struct {
	p, g, sq, acc    []T
	lr, rho, eps, wd T
	maximize         bool
}

func (k *adadeltaKernel[T]) run(lo, hi int) {
	adadeltaStep(k.p[lo:hi], k.g[lo:hi], k.sq[lo:hi], k.acc[lo:hi], k.lr, k.rho, k.eps, k.wd, k.maximize)
}

// adadeltaStep is one Adadelta update of one tensor.
func adadeltaStep[T Float](p, g, sq, acc []T, lr, rho, eps, wd T, maximize bool) {
	g, sq, acc = g[:len(p)], sq[:len(p)], acc[:len(p)]
	for i := range p {
		gi := grad(g[i], p[i], wd, maximize)
		sq[i] = sq[i]*rho + (1-rho)*gi*gi
		std := T(math.Sqrt(float64(sq[i] + eps)))
		delta := T(math.Sqrt(float64(acc[i]+eps))) / std * gi
		acc[i] = acc[i]*rho + (1-rho)*delta*delta
		p[i] += -lr * delta
	}
}
