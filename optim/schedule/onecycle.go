package schedule

import (
	"fmt"
	"math"
)

// OneCycle is torch.optim.lr_scheduler.OneCycleLR (Smith & Topin,
// "Super-Convergence: Very Fast Training of Neural Networks Using Large
// Learning Rates", 2017, arXiv:1708.07120): the learning rate warms up
// from MaxLR/DivFactor to MaxLR over the first PctStart of the steps, then
// anneals to MaxLR/DivFactor/FinalDivFactor (with ThreePhase, it first
// comes back down to the initial value symmetrically, then anneals).
//
// Like PyTorch, At(0) is MaxLR/DivFactor whatever learning rate the
// optimizer was made with. PyTorch raises an error past TotalSteps; At
// continues the last phase's formula, and Validate-ing callers should
// stop at TotalSteps.
type OneCycle struct {
	MaxLR          float64 `kv:"max_lr"`
	TotalSteps     int     `kv:"total_steps"` // 0: Epochs*StepsPerEpoch
	Epochs         int     `kv:"epochs"`
	StepsPerEpoch  int     `kv:"steps_per_epoch"`
	PctStart       float64 `kv:"pct_start"`        // default 0.3
	AnnealStrategy string  `kv:"anneal_strategy"`  // cos (default) or linear
	DivFactor      float64 `kv:"div_factor"`       // default 25
	FinalDivFactor float64 `kv:"final_div_factor"` // default 1e4
	ThreePhase     bool    `kv:"three_phase"`
	// CycleMomentum cycles the momentum inversely between MaxMomentum and
	// BaseMomentum (PyTorch's cycle_momentum; off unless asked here).
	CycleMomentum bool    `kv:"cycle_momentum"`
	BaseMomentum  float64 `kv:"base_momentum"` // default 0.85
	MaxMomentum   float64 `kv:"max_momentum"`  // default 0.95
}

// OneCycleDefaults returns PyTorch's defaults, with momentum cycling off.
func OneCycleDefaults(maxLR float64, totalSteps int) OneCycle {
	return OneCycle{MaxLR: maxLR, TotalSteps: totalSteps, PctStart: 0.3, AnnealStrategy: "cos",
		DivFactor: 25, FinalDivFactor: 1e4, BaseMomentum: 0.85, MaxMomentum: 0.95}
}

// Total returns the number of steps of the cycle.
func (s *OneCycle) Total() int {
	if s.TotalSteps > 0 {
		return s.TotalSteps
	}
	return s.Epochs * s.StepsPerEpoch
}

// phase finds step t's phase: its start and end values as indices into
// the lr levels [initial, max, min] and the momentum levels
// [max, base] (PyTorch's phase table), and the fraction done.
func (s *OneCycle) phase(t int) (lrFrom, lrTo, mFrom, mTo int, pct float64) {
	total := float64(s.Total())
	const initial, peak, final = 0, 1, 2
	const mMax, mBase = 0, 1
	type phase struct {
		end                      float64
		lrFrom, lrTo, mFrom, mTo int
	}
	phases := [3]phase{
		{s.PctStart*total - 1, initial, peak, mMax, mBase},
		{total - 1, peak, final, mBase, mMax},
	}
	n := 2
	if s.ThreePhase {
		phases = [3]phase{
			{s.PctStart*total - 1, initial, peak, mMax, mBase},
			{2*s.PctStart*total - 2, peak, initial, mBase, mMax},
			{total - 1, initial, final, mMax, mMax},
		}
		n = 3
	}
	start := 0.0
	for i, p := range phases[:n] {
		if float64(t) <= p.end || i == n-1 {
			return p.lrFrom, p.lrTo, p.mFrom, p.mTo, (float64(t) - start) / (p.end - start)
		}
		start = p.end
	}
	panic("unreachable")
}

func (s *OneCycle) anneal(from, to, pct float64) float64 {
	if s.AnnealStrategy == "linear" {
		return (to-from)*pct + from
	}
	return to + (from-to)/2*(cos(math.Pi*pct)+1)
}

// At returns the learning rate of step t.
func (s *OneCycle) At(t int) float64 {
	initial := s.MaxLR / s.DivFactor
	levels := [3]float64{initial, s.MaxLR, initial / s.FinalDivFactor}
	from, to, _, _, pct := s.phase(t)
	return s.anneal(levels[from], levels[to], pct)
}

// MomentumAt returns the momentum of step t when CycleMomentum is on.
func (s *OneCycle) MomentumAt(t int) (float64, bool) {
	if !s.CycleMomentum {
		return 0, false
	}
	levels := [2]float64{s.MaxMomentum, s.BaseMomentum}
	_, _, from, to, pct := s.phase(t)
	return s.anneal(levels[from], levels[to], pct), true
}

// Validate checks the configuration as PyTorch does.
func (s *OneCycle) Validate() error {
	if s.TotalSteps < 0 || s.TotalSteps == 0 && (s.Epochs <= 0 || s.StepsPerEpoch <= 0) {
		return fmt.Errorf("schedule: onecycle: define a positive total_steps, or epochs and steps_per_epoch")
	}
	if !(s.PctStart >= 0 && s.PctStart <= 1) {
		return fmt.Errorf("schedule: onecycle: pct_start must be between 0 and 1, got %v", s.PctStart)
	}
	if s.PctStart*float64(s.Total())-1 == 0 {
		// The warm-up phase then ends where it starts, at step 0, and its
		// fraction done is 0/0 (PyTorch raises ZeroDivisionError).
		return fmt.Errorf("schedule: onecycle: pct_start %v of %d steps leaves a warm-up of zero length; give pct_start other than %v", s.PctStart, s.Total(), 1/float64(s.Total()))
	}
	if s.AnnealStrategy != "cos" && s.AnnealStrategy != "linear" {
		return fmt.Errorf("schedule: onecycle: anneal_strategy must be cos or linear, got %q", s.AnnealStrategy)
	}
	if !(s.DivFactor > 0 && s.FinalDivFactor > 0) {
		return fmt.Errorf("schedule: onecycle: div_factor and final_div_factor must be positive")
	}
	return checkLR("onecycle", s.MaxLR)
}
