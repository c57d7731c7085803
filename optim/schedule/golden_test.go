package schedule_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/descent-ml/descent/optim/schedule"
)

// golden is testdata/golden.json, written by testdata/make_golden.py with
// torch.optim.lr_scheduler.
type golden struct {
	Cases []struct {
		Name      string         `json:"name"`
		LR        float64        `json:"lr"`
		Steps     int            `json:"steps"`
		Settings  map[string]any `json:"settings"`
		LRs       []float64      `json:"lrs"`
		Momentums []float64      `json:"momentums"`
	} `json:"cases"`
	Plateau []struct {
		Settings map[string]any `json:"settings"`
		LR       float64        `json:"lr"`
		Metrics  []float64      `json:"metrics"`
		LRs      []float64      `json:"lrs"`
	} `json:"plateau"`
}

func loadGolden(t *testing.T) *golden {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

// settings reads JSON settings with defaults.
type settings map[string]any

func (s settings) f(k string, def float64) float64 {
	if v, ok := s[k]; ok {
		return v.(float64)
	}
	return def
}
func (s settings) i(k string, def int) int { return int(s.f(k, float64(def))) }
func (s settings) b(k string) bool         { v, _ := s[k].(bool); return v }
func (s settings) str(k, def string) string {
	v, ok := s[k].(string)
	if !ok {
		return def
	}
	return v
}

// build constructs the schedule of a golden case with PyTorch's defaults
// for what the case leaves out. After a warm-up of W of the case's steps
// steps, T_max and total_steps default to steps - W, as in make_golden.py
// and the CLI.
func build(name string, lr float64, steps int, s settings) schedule.Schedule {
	warmup := s.i("warmup", 0)
	var sc schedule.Schedule
	switch name {
	case "constant":
		sc = &schedule.Constant{LR: lr}
	case "step":
		sc = &schedule.Step{LR: lr, StepSize: s.i("step_size", 0), Gamma: s.f("gamma", 0.1)}
	case "multistep":
		var ms []int
		for _, m := range s["milestones"].([]any) {
			ms = append(ms, int(m.(float64)))
		}
		sc = &schedule.MultiStep{LR: lr, Milestones: ms, Gamma: s.f("gamma", 0.1)}
	case "exponential":
		sc = &schedule.Exponential{LR: lr, Gamma: s.f("gamma", 0)}
	case "cosine":
		sc = &schedule.Cosine{LR: lr, TMax: s.i("T_max", steps-warmup), EtaMin: s.f("eta_min", 0)}
	case "cyclic":
		c := schedule.CyclicDefaults(s.f("base_lr", 0), s.f("max_lr", 0))
		c.StepSizeUp, c.StepSizeDown = s.i("step_size_up", 2000), s.i("step_size_down", -1)
		c.Mode, c.Gamma = s.str("mode", "triangular"), s.f("gamma", 1)
		c.CycleMomentum = s.b("cycle_momentum")
		c.BaseMomentum, c.MaxMomentum = s.f("base_momentum", 0.8), s.f("max_momentum", 0.9)
		sc = &c
	case "onecycle":
		c := schedule.OneCycleDefaults(s.f("max_lr", 0), s.i("total_steps", 0))
		c.Epochs, c.StepsPerEpoch = s.i("epochs", 0), s.i("steps_per_epoch", 0)
		if warmup > 0 && c.TotalSteps == 0 && c.Epochs == 0 {
			c.TotalSteps = steps - warmup
		}
		c.PctStart, c.AnnealStrategy = s.f("pct_start", 0.3), s.str("anneal_strategy", "cos")
		c.DivFactor, c.FinalDivFactor = s.f("div_factor", 25), s.f("final_div_factor", 1e4)
		c.ThreePhase, c.CycleMomentum = s.b("three_phase"), s.b("cycle_momentum")
		c.BaseMomentum, c.MaxMomentum = s.f("base_momentum", 0.85), s.f("max_momentum", 0.95)
		sc = &c
	default:
		panic("unknown schedule " + name)
	}
	if warmup > 0 {
		sc = &schedule.Warmup{Steps: warmup, StartFactor: s.f("warmup_start_factor", 1.0/3), Inner: sc, LR: lr}
	}
	return sc
}

// TestGolden compares every schedule with torch.optim.lr_scheduler, value
// by value, walking forwards (as training does) and then backwards
// (recomputing from the start). The first value, which every recursion
// starts from, must be PyTorch's to the bit.
func TestGolden(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Cases {
		t.Run(fmt.Sprintf("%s/%v", c.Name, c.Settings), func(t *testing.T) {
			sc := build(c.Name, c.LR, c.Steps, c.Settings)
			if v, ok := sc.(interface{ Validate() error }); ok {
				if err := v.Validate(); err != nil {
					t.Fatal(err)
				}
			}
			// Errors are measured against the schedule's largest value: where
			// a schedule reaches a small value by cancellation (the bottom of
			// a cosine), one ulp of cos (Go's math.Cos and glibc's differ by
			// that at times) is a large part of the result.
			peak := 0.0
			for _, v := range c.LRs {
				peak = max(peak, math.Abs(v))
			}
			checks, exact, worst := 0, 0, 0.0
			check := func(i int) {
				got, want := sc.At(i), c.LRs[i]
				e := math.Abs(got-want) / peak
				worst = max(worst, e)
				checks++
				if got == want {
					exact++
				}
				if e > 1e-15 || i == 0 && got != want {
					t.Fatalf("step %d: lr %v, PyTorch %v", i, got, want)
				}
				if c.Momentums != nil {
					m, ok := sc.(schedule.MomentumSchedule).MomentumAt(i)
					if !ok || math.Abs(m-c.Momentums[i]) > 1e-15 {
						t.Fatalf("step %d: momentum %v (%v), PyTorch %v", i, m, ok, c.Momentums[i])
					}
				}
			}
			for i := range c.LRs {
				check(i)
			}
			for i := len(c.LRs) - 1; i >= 0; i -= 7 {
				check(i)
			}
			t.Logf("%d of %d values bit-identical, max err %.2g of the peak", exact, checks, worst)
		})
	}
}

// TestGoldenPlateau replays PyTorch's ReduceLROnPlateau on a metric
// sequence.
func TestGoldenPlateau(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Plateau {
		s := settings(c.Settings)
		p := schedule.NewPlateau(c.LR)
		p.Mode, p.Factor, p.Patience = s.str("mode", "min"), s.f("factor", 0.1), s.i("patience", 10)
		p.Threshold, p.ThresholdMode = s.f("threshold", 1e-4), s.str("threshold_mode", "rel")
		p.Cooldown, p.MinLR, p.Eps = s.i("cooldown", 0), s.f("min_lr", 0), s.f("eps", 1e-8)
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		for i, m := range c.Metrics {
			if got := p.Step(m); got != c.LRs[i] {
				t.Errorf("%v: after metric %d: lr %v, PyTorch %v", c.Settings, i, got, c.LRs[i])
				break
			}
		}
	}
}
