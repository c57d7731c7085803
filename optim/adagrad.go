package optim

import (
	"math"

	"github.com/descent-ml/descent/autograd"
)

// AdagradConfig holds torch.optim.Adagrad's arguments.
type AdagradConfig struct {
	LR                      float64 `opt:"lr"`                        // default 1e-2
	LRDecay                 float64 `opt:"lr_decay"`                  // lr/(1 + (t-1)*lr_decay)
	WeightDecay             float64 `opt:"weight_decay"`              // L2 penalty added to the gradient
	InitialAccumulatorValue float64 `opt:"initial_accumulator_value"` // starting value of the sum of squares
	Eps                     float64 `opt:"eps"`                       // default 1e-10
	Maximize                bool    `opt:"maximize"`
}

// AdagradDefaults returns PyTorch's defaults.
func AdagradDefaults() AdagradConfig { return AdagradConfig{LR: 1e-2, Eps: 1e-10} }

// Adagrad is Duchi, Hazan & Singer, "Adaptive Subgradient Methods for
// Online Learning and Stochastic Optimization", JMLR 2011.
//
// The lecture writes G += g*g; w -= alpha/sqrt(G + eps) * g, with eps
// inside the root. PyTorch adds eps outside the root and can decay lr:
//
//	g = grad + weight_decay*p         (negated first if maximize)
//	G = G + g*g                       (G starts at initial_accumulator_value)
//	p = p - lr/(1+(t-1)*lr_decay) * g / (sqrt(G) + eps)
//
// Both only keep the step finite while G is 0; G only grows, so steps
// shrink for good, the drawback RMSprop fixes.
type Adagrad[T Float] struct {
	base[T]
	cfg AdagradConfig
	k   adagradKernel[T]
	run func(lo, hi int)
}

var _ Optimizer[float32] = (*Adagrad[float32])(nil)

// NewAdagrad returns Adagrad over params, validating cfg as PyTorch does.
func NewAdagrad[T Float](params []*autograd.Var[T], cfg AdagradConfig) (*Adagrad[T], error) {
	for _, c := range []struct {
		arg string
		v   float64
	}{{"lr_decay", cfg.LRDecay}, {"initial_accumulator_value", cfg.InitialAccumulatorValue}, {"eps", cfg.Eps}} {
		if err := checkNonNeg("adagrad", c.arg, c.v); err != nil {
			return nil, err
		}
	}
	o := &Adagrad[T]{cfg: cfg}
	if err := o.init("adagrad", [3]string{"sum"}, params, cfg.LR, cfg.WeightDecay); err != nil {
		return nil, err
	}
	o.run = o.k.run
	return o, nil
}

// Step applies one Adagrad update.
func (o *Adagrad[T]) Step() {
	for i := range o.slots {
		fresh := o.slots[i].buf[0] == nil
		s := o.next(i, [3]bool{true})
		if s == nil {
			continue
		}
		if fresh {
			s.buf[0].Fill(T(o.cfg.InitialAccumulatorValue))
		}
		clr := s.group.LR / (1 + float64(s.step-1)*o.cfg.LRDecay)
		o.k = adagradKernel[T]{p: s.v.Value.Data(), g: s.v.Grad.Data(), sum: s.data(0),
			clr: T(clr), eps: T(o.cfg.Eps), wd: T(s.group.WeightDecay), maximize: o.cfg.Maximize}
		o.split.run(len(o.k.p), o.run)
	}
}

type adagradKernel[T Float] struct {
	p, g, sum    []T
	clr, eps, wd T
	maximize     bool
}

func (k *adagradKernel[T]) run(lo, hi int) {
	adagradStep(k.p[lo:hi], k.g[lo:hi], k.sum[lo:hi], k.clr, k.eps, k.wd, k.maximize)
}

// adagradStep is one Adagrad update of one tensor with the decayed step
// size clr.
func adagradStep[T Float](p, g, sum []T, clr, eps, wd T, maximize bool) {
	g, sum = g[:len(p)], sum[:len(p)]
	for i := range p {
		gi := grad(g[i], p[i], wd, maximize)
		sum[i] += gi * gi
		std := T(math.Sqrt(float64(sum[i]))) + eps
		p[i] += -clr * gi / std
	}
}
