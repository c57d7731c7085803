package optim

import (
	"fmt"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kernel"
)

// AdadeltaConfig holds torch.optim.Adadelta's arguments.
type AdadeltaConfig struct {
	LR          float64 `kv:"lr"`           // multiplies the step; default 1.0 (the paper has none)
	Rho         float64 `kv:"rho"`          // decay of both running averages, default 0.9
	Eps         float64 `kv:"eps"`          // inside both roots, default 1e-6
	WeightDecay float64 `kv:"weight_decay"` // L2 penalty added to the gradient
	Maximize    bool    `kv:"maximize"`
}

// AdadeltaDefaults returns PyTorch's defaults.
func AdadeltaDefaults() AdadeltaConfig { return AdadeltaConfig{LR: 1, Rho: 0.9, Eps: 1e-6} }

// Validate checks c as torch.optim.Adadelta does.
func (c AdadeltaConfig) Validate() error {
	if !(0 <= c.Rho && c.Rho <= 1) {
		return fmt.Errorf("optim: adadelta: invalid rho %v (want 0 <= rho <= 1)", c.Rho)
	}
	if err := checkNonNeg("adadelta", "eps", c.Eps); err != nil {
		return err
	}
	return checkGroup("adadelta", c.LR, c.WeightDecay)
}

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
	base[T, adadeltaState[T], *adadeltaState[T]]
	cfg AdadeltaConfig
}

var _ Optimizer[float32] = (*Adadelta[float32])(nil)

// adadeltaState is Adadelta's state for one parameter, zeros on its first
// step.
type adadeltaState[T Float] struct {
	G []T // running average of g*g
	D []T // running average of delta*delta
}

func (s *adadeltaState[T]) fields() []field[T] {
	return []field[T]{buf("square_avg", &s.G), buf("acc_delta", &s.D)}
}

// NewAdadelta returns Adadelta over params; cfg must pass Validate.
func NewAdadelta[T Float](params []*autograd.Var[T], cfg AdadeltaConfig) (*Adadelta[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := &Adadelta[T]{cfg: cfg}
	return o, o.init("adadelta", params, cfg.LR, cfg.WeightDecay)
}

// Step applies one Adadelta update (kernel.AdadeltaStep is the loop above).
func (o *Adadelta[T]) Step() {
	for i := range o.slots {
		s := o.next(i)
		if s == nil {
			continue
		}
		st := &s.state
		if st.G == nil {
			st.G, st.D = s.zeros(), s.zeros()
		}
		kernel.AdadeltaStep(s.p(), s.g(), st.G, st.D, kernel.AdadeltaParams{
			LR: s.group.LR, Rho: o.cfg.Rho, Eps: o.cfg.Eps, WeightDecay: s.group.WeightDecay, Maximize: o.cfg.Maximize})
	}
}
