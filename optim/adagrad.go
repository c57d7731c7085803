package optim

import (
	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kernel"
)

// AdagradConfig holds torch.optim.Adagrad's arguments.
type AdagradConfig struct {
	LR                      float64 `kv:"lr"`                        // default 1e-2
	LRDecay                 float64 `kv:"lr_decay"`                  // lr/(1 + (t-1)*lr_decay)
	WeightDecay             float64 `kv:"weight_decay"`              // L2 penalty added to the gradient
	InitialAccumulatorValue float64 `kv:"initial_accumulator_value"` // starting value of the sum of squares
	Eps                     float64 `kv:"eps"`                       // default 1e-10
	Maximize                bool    `kv:"maximize"`
}

// AdagradDefaults returns PyTorch's defaults.
func AdagradDefaults() AdagradConfig { return AdagradConfig{LR: 1e-2, Eps: 1e-10} }

// Validate checks c as torch.optim.Adagrad does.
func (c AdagradConfig) Validate() error {
	if err := checkNonNeg("adagrad", "lr_decay", c.LRDecay, "initial_accumulator_value", c.InitialAccumulatorValue, "eps", c.Eps); err != nil {
		return err
	}
	return checkGroup("adagrad", c.LR, c.WeightDecay)
}

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
	base[T, adagradState[T], *adagradState[T]]
	cfg AdagradConfig
}

var _ Optimizer[float32] = (*Adagrad[float32])(nil)

// adagradState is Adagrad's state for one parameter: the sum of squares
// G, made on its first step.
type adagradState[T Float] struct{ G []T }

func (s *adagradState[T]) fields() []field[T] { return []field[T]{buf("sum", &s.G)} }

// NewAdagrad returns Adagrad over params; cfg must pass Validate.
func NewAdagrad[T Float](params []*autograd.Var[T], cfg AdagradConfig) (*Adagrad[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := &Adagrad[T]{cfg: cfg}
	return o, o.init("adagrad", params, cfg.LR, cfg.WeightDecay)
}

// Step applies one Adagrad update (kernel.AdagradStep: G += g*g, then the
// step with the decayed rate).
func (o *Adagrad[T]) Step() {
	for i := range o.slots {
		s := o.next(i)
		if s == nil {
			continue
		}
		st := &s.state
		if st.G == nil {
			st.G = s.full(T(o.cfg.InitialAccumulatorValue))
		}
		clr := s.group.LR / (1 + float64(s.step-1)*o.cfg.LRDecay)
		kernel.AdagradStep(s.p(), s.g(), st.G, kernel.AdagradParams{
			LR: clr, Eps: o.cfg.Eps, WeightDecay: s.group.WeightDecay, Maximize: o.cfg.Maximize})
	}
}
