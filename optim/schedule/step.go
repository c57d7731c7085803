package schedule

import (
	"fmt"
	"math"
	"slices"
)

// Step is torch.optim.lr_scheduler.StepLR: the learning rate is multiplied
// by Gamma every StepSize steps, LR*Gamma^floor(t/StepSize), computed as
// PyTorch does by repeated multiplication.
type Step struct {
	LR       float64
	StepSize int     `kv:"step_size"`
	Gamma    float64 `kv:"gamma"` // PyTorch's default 0.1
	m        memo
}

// At returns the learning rate of step t.
func (s *Step) At(t int) float64 {
	return s.m.walk(t, s.LR, func(t int, prev float64) float64 {
		if t%s.StepSize != 0 {
			return prev
		}
		return prev * s.Gamma
	})
}

// Validate checks the configuration.
func (s *Step) Validate() error {
	if s.StepSize <= 0 {
		return fmt.Errorf("schedule: step: step_size must be positive, got %d", s.StepSize)
	}
	return checkLR("step", s.LR)
}

// MultiStep is torch.optim.lr_scheduler.MultiStepLR: the learning rate is
// multiplied by Gamma at each of the Milestones (a milestone listed twice
// multiplies by Gamma²).
type MultiStep struct {
	LR         float64
	Milestones []int   `kv:"milestones"` // increasing
	Gamma      float64 `kv:"gamma"`      // PyTorch's default 0.1
	m          memo
}

// At returns the learning rate of step t.
func (s *MultiStep) At(t int) float64 {
	return s.m.walk(t, s.LR, func(t int, prev float64) float64 {
		n := 0
		for _, m := range s.Milestones {
			if m == t {
				n++
			}
		}
		if n == 0 {
			return prev
		}
		return prev * pow(s.Gamma, n)
	})
}

// Validate checks the configuration.
func (s *MultiStep) Validate() error {
	if !slices.IsSorted(s.Milestones) {
		return fmt.Errorf("schedule: multistep: milestones must be increasing, got %v", s.Milestones)
	}
	return checkLR("multistep", s.LR)
}

// Exponential is torch.optim.lr_scheduler.ExponentialLR: LR*Gamma^t, by
// repeated multiplication.
type Exponential struct {
	LR    float64
	Gamma float64 `kv:"gamma"`
	m     memo
}

// At returns the learning rate of step t.
func (s *Exponential) At(t int) float64 {
	return s.m.walk(t, s.LR, func(_ int, prev float64) float64 { return prev * s.Gamma })
}

// Validate checks the configuration.
func (s *Exponential) Validate() error { return checkLR("exponential", s.LR) }

// Cosine is torch.optim.lr_scheduler.CosineAnnealingLR (Loshchilov &
// Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", 2016,
// arXiv:1608.03983, without the restarts):
//
//	lr_t = EtaMin + (LR - EtaMin)*(1 + cos(pi*t/TMax))/2
//
// PyTorch computes it recursively, lr_t from lr_{t-1}, with a special
// case where the ratio's denominator vanishes (t-1 = TMax mod 2TMax); the
// recursion keeps following the cosine past TMax, climbing back to LR at
// 2TMax. descent computes the same recursion.
type Cosine struct {
	LR     float64
	TMax   int     `kv:"T_max"`   // the half period
	EtaMin float64 `kv:"eta_min"` // the lowest learning rate, default 0
	m      memo
}

// At returns the learning rate of step t.
func (s *Cosine) At(t int) float64 {
	T := float64(s.TMax)
	return s.m.walk(t, s.LR, func(t int, prev float64) float64 {
		if (t-1-s.TMax)%(2*s.TMax) == 0 {
			return prev + (s.LR-s.EtaMin)*(1-cos(math.Pi/T))/2
		}
		return (1+cos(math.Pi*float64(t)/T))/(1+cos(math.Pi*float64(t-1)/T))*(prev-s.EtaMin) + s.EtaMin
	})
}

// Validate checks the configuration.
func (s *Cosine) Validate() error {
	if s.TMax <= 0 {
		return fmt.Errorf("schedule: cosine: T_max must be positive, got %d", s.TMax)
	}
	return checkLR("cosine", s.LR)
}

// Warmup is a linear warm-up before another schedule: PyTorch's
// SequentialLR([LinearLR(start_factor, total_iters=Steps), inner],
// milestones=[Steps]), LinearLR built first. During the first Steps steps
// the learning rate climbs linearly from StartFactor*base towards base
// (LinearLR's recursive form); from step Steps on it is
// Inner.At(t - Steps), so the inner schedule runs for the steps the
// warm-up leaves: size it for them (a OneCycle's TotalSteps, a Cosine's
// TMax), or it never finishes.
//
// base is the group's initial_lr when SequentialLR starts: the optimizer's
// learning rate LR, which LinearLR records, except after a OneCycle, whose
// OneCycleLR overwrites it with MaxLR/DivFactor. So a Cyclic warms up
// towards LR and then drops to its BaseLR, as in PyTorch.
type Warmup struct {
	Steps       int     `kv:"warmup"`              // warm-up length, LinearLR's total_iters
	StartFactor float64 `kv:"warmup_start_factor"` // LinearLR's start_factor, PyTorch's default 1/3
	Inner       Schedule
	// LR is the optimizer's learning rate; 0 takes Inner.At(0), which is
	// the same for every schedule but Cyclic (BaseLR) and OneCycle.
	LR float64
	m  memo
}

// base returns the learning rate the warm-up climbs towards: PyTorch's
// initial_lr, exactly (OneCycle's At(0) may differ from it in the last bit).
func (s *Warmup) base() float64 {
	if oc, ok := s.Inner.(*OneCycle); ok {
		return oc.MaxLR / oc.DivFactor
	}
	if s.LR != 0 {
		return s.LR
	}
	return s.Inner.At(0)
}

// At returns the learning rate of step t.
func (s *Warmup) At(t int) float64 {
	if t >= s.Steps {
		return s.Inner.At(t - s.Steps)
	}
	base := s.base()
	f0, total := s.StartFactor, float64(s.Steps)
	return s.m.walk(t, base*f0, func(t int, prev float64) float64 {
		return prev * (1 + (1-f0)/(total*f0+float64(t-1)*(1-f0)))
	})
}

// Validate checks the configuration.
func (s *Warmup) Validate() error {
	if s.Steps <= 0 {
		return fmt.Errorf("schedule: warmup: the number of warm-up steps must be positive, got %d", s.Steps)
	}
	if !(s.StartFactor > 0 && s.StartFactor <= 1) {
		return fmt.Errorf("schedule: warmup: start factor must be in (0, 1], got %v", s.StartFactor)
	}
	if s.Inner == nil {
		return fmt.Errorf("schedule: warmup: no schedule to warm up")
	}
	return nil
}
