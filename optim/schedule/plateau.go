package schedule

import (
	"fmt"
	"math"
)

// Plateau is torch.optim.lr_scheduler.ReduceLROnPlateau: it watches a
// metric (a validation loss, say) and multiplies the learning rate by
// Factor when the metric has not improved for more than Patience calls
// to Step. Unlike the other schedules it depends on measurements, not
// on the step number, so it is a stateful value, not a Schedule.
type Plateau struct {
	Mode          string  `kv:"mode"`           // min (default) or max
	Factor        float64 `kv:"factor"`         // default 0.1
	Patience      int     `kv:"patience"`       // default 10
	Threshold     float64 `kv:"threshold"`      // default 1e-4
	ThresholdMode string  `kv:"threshold_mode"` // rel (default) or abs
	Cooldown      int     `kv:"cooldown"`       // calls to wait after a reduction, default 0
	MinLR         float64 `kv:"min_lr"`         // default 0
	Eps           float64 `kv:"eps"`            // smaller reductions are skipped, default 1e-8

	State PlateauState // the running state, saved in checkpoints
}

// PlateauState is Plateau's running state.
type PlateauState struct {
	LR              float64 // the current learning rate
	Best            float64 // the best metric so far
	NumBadEpochs    int     // calls since the last improvement
	CooldownCounter int     // calls left in the cooldown
	LastEpoch       int     // calls to Step so far
}

// NewPlateau returns PyTorch's defaults for an optimizer whose learning
// rate is lr.
func NewPlateau(lr float64) *Plateau {
	p := &Plateau{Mode: "min", Factor: 0.1, Patience: 10, Threshold: 1e-4, ThresholdMode: "rel", Eps: 1e-8}
	p.Reset(lr)
	return p
}

// Reset starts over from learning rate lr, forgetting the best metric.
func (p *Plateau) Reset(lr float64) { p.State = PlateauState{LR: lr} }

// worst is PyTorch's mode_worse, the best metric before the first.
func (p *Plateau) worst() float64 {
	if p.Mode == "max" {
		return math.Inf(-1)
	}
	return math.Inf(1)
}

// Validate checks the configuration as PyTorch does.
func (p *Plateau) Validate() error {
	if !(p.Factor < 1) {
		return fmt.Errorf("schedule: plateau: factor should be < 1.0, got %v", p.Factor)
	}
	if p.Mode != "min" && p.Mode != "max" {
		return fmt.Errorf("schedule: plateau: mode must be min or max, got %q", p.Mode)
	}
	if p.ThresholdMode != "rel" && p.ThresholdMode != "abs" {
		return fmt.Errorf("schedule: plateau: threshold_mode must be rel or abs, got %q", p.ThresholdMode)
	}
	return nil
}

// LR returns the current learning rate.
func (p *Plateau) LR() float64 { return p.State.LR }

// Step records one measurement of the metric and returns the learning
// rate to use from now on.
func (p *Plateau) Step(metric float64) float64 {
	s := &p.State
	if s.LastEpoch == 0 {
		s.Best = p.worst()
	}
	s.LastEpoch++
	if p.better(metric, s.Best) {
		s.Best = metric
		s.NumBadEpochs = 0
	} else {
		s.NumBadEpochs++
	}
	if s.CooldownCounter > 0 {
		s.CooldownCounter--
		s.NumBadEpochs = 0 // bad epochs in cooldown do not count
	}
	if s.NumBadEpochs > p.Patience {
		if lr := max(s.LR*p.Factor, p.MinLR); s.LR-lr > p.Eps {
			s.LR = lr
		}
		s.CooldownCounter = p.Cooldown
		s.NumBadEpochs = 0
	}
	return s.LR
}

func (p *Plateau) better(a, best float64) bool {
	switch {
	case p.Mode == "min" && p.ThresholdMode == "rel":
		return a < best*(1-p.Threshold)
	case p.Mode == "min":
		return a < best-p.Threshold
	case p.ThresholdMode == "rel":
		return a > best*(p.Threshold+1)
	default:
		return a > best+p.Threshold
	}
}
