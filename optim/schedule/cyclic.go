package schedule

import (
	"fmt"
	"math"
)

// Cyclic is torch.optim.lr_scheduler.CyclicLR (Smith, "Cyclical Learning
// Rates for Training Neural Networks", WACV 2017, arXiv:1506.01186): the
// learning rate climbs linearly from BaseLR to MaxLR over StepSizeUp
// steps and falls back over StepSizeDown, the amplitude scaled per cycle
// (triangular: 1; triangular2: halved each cycle) or per step (exp_range:
// Gamma^t).
//
// Like PyTorch, At(0) is BaseLR whatever learning rate the optimizer was
// made with: CyclicLR overwrites it at construction.
type Cyclic struct {
	BaseLR     float64 `kv:"base_lr"`
	MaxLR      float64 `kv:"max_lr"`
	StepSizeUp int     `kv:"step_size_up"` // PyTorch's default 2000
	// StepSizeDown is step_size_down; -1 (CyclicDefaults) takes
	// StepSizeUp, as PyTorch's None does. 0 is a length like any other,
	// as in PyTorch: the rate climbs for StepSizeUp steps and then drops
	// back to BaseLR at once (a sawtooth).
	StepSizeDown int     `kv:"step_size_down"`
	Mode         string  `kv:"mode"`  // triangular (default), triangular2, exp_range
	Gamma        float64 `kv:"gamma"` // gamma of exp_range, default 1
	// CycleMomentum cycles the momentum inversely, from MaxMomentum down to
	// BaseMomentum (PyTorch's cycle_momentum, on by default there; off
	// unless asked here).
	CycleMomentum bool    `kv:"cycle_momentum"`
	BaseMomentum  float64 `kv:"base_momentum"` // default 0.8
	MaxMomentum   float64 `kv:"max_momentum"`  // default 0.9
}

// CyclicDefaults returns PyTorch's defaults for the given range, with
// momentum cycling off.
func CyclicDefaults(baseLR, maxLR float64) Cyclic {
	return Cyclic{BaseLR: baseLR, MaxLR: maxLR, StepSizeUp: 2000, StepSizeDown: -1, Mode: "triangular", Gamma: 1,
		BaseMomentum: 0.8, MaxMomentum: 0.9}
}

// phase returns PyTorch's scale_factor (position within the up or down
// ramp, 0..1) and the amplitude scale for step t.
func (s *Cyclic) phase(t int) (factor, scale float64) {
	up := float64(s.StepSizeUp)
	down := up
	if s.StepSizeDown >= 0 {
		down = float64(s.StepSizeDown)
	}
	total := up + down
	ratio := up / total
	cycle := math.Floor(1 + float64(t)/total)
	x := 1 + float64(t)/total - cycle
	if x <= ratio {
		factor = x / ratio
	} else {
		factor = (x - 1) / (ratio - 1)
	}
	switch s.Mode {
	case "triangular2":
		scale = 1 / math.Pow(2, cycle-1)
	case "exp_range":
		scale = pow(s.Gamma, t)
	default:
		scale = 1
	}
	return factor, scale
}

// At returns the learning rate of step t.
func (s *Cyclic) At(t int) float64 {
	factor, scale := s.phase(t)
	return s.BaseLR + (s.MaxLR-s.BaseLR)*factor*scale
}

// MomentumAt returns the momentum of step t when CycleMomentum is on.
func (s *Cyclic) MomentumAt(t int) (float64, bool) {
	if !s.CycleMomentum {
		return 0, false
	}
	factor, scale := s.phase(t)
	return s.MaxMomentum - (s.MaxMomentum-s.BaseMomentum)*factor*scale, true
}

// Validate checks the configuration.
func (s *Cyclic) Validate() error {
	switch s.Mode {
	case "triangular", "triangular2", "exp_range":
	default:
		return fmt.Errorf("schedule: cyclic: unknown mode %q; valid modes: triangular, triangular2, exp_range", s.Mode)
	}
	// PyTorch divides by step_size_up at step 0 (ZeroDivisionError for 0).
	if s.StepSizeUp <= 0 || s.StepSizeDown < -1 {
		return fmt.Errorf("schedule: cyclic: step_size_up must be positive and step_size_down >= 0 (-1: same as step_size_up), got %d and %d", s.StepSizeUp, s.StepSizeDown)
	}
	if err := checkLR("cyclic", s.BaseLR); err != nil {
		return err
	}
	return checkLR("cyclic", s.MaxLR)
}
