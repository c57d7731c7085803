package schedule_test

import (
	"strings"
	"testing"

	"github.com/descent-ml/descent/optim/schedule"
)

// TestValidate: bad configurations are errors naming the argument.
func TestValidate(t *testing.T) {
	cyc := schedule.CyclicDefaults(0.1, 1)
	cyc.Mode = "sawtooth"
	cycDown := schedule.CyclicDefaults(0.1, 1)
	cycDown.StepSizeDown = -2
	cycUp := schedule.CyclicDefaults(0.1, 1)
	cycUp.StepSizeUp = 0
	one := schedule.OneCycleDefaults(1, 0)
	oneLin := schedule.OneCycleDefaults(1, 10)
	oneLin.AnnealStrategy = "exp"
	tests := []struct {
		s    interface{ Validate() error }
		want string
	}{
		{&schedule.Constant{LR: -1}, "invalid learning rate -1"},
		{&schedule.Step{LR: 0.1}, "step_size must be positive"},
		{&schedule.MultiStep{LR: 0.1, Milestones: []int{5, 3}}, "milestones must be increasing"},
		{&schedule.Cosine{LR: 0.1}, "T_max must be positive"},
		{&cyc, `unknown mode "sawtooth"; valid modes: triangular, triangular2, exp_range`},
		{&cycDown, "step_size_down >= 0 (-1: same as step_size_up), got 2000 and -2"},
		{&cycUp, "step_size_up must be positive"},
		{&one, "define a positive total_steps, or epochs and steps_per_epoch"},
		{&oneLin, "anneal_strategy must be cos or linear"},
		{&schedule.Warmup{Steps: 3, StartFactor: 0, Inner: &schedule.Constant{LR: 1}}, "start factor must be in (0, 1]"},
		{&schedule.Plateau{Mode: "min", ThresholdMode: "rel", Factor: 1}, "factor should be < 1.0"},
	}
	for _, tt := range tests {
		err := tt.s.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%T: error %v, want one containing %q", tt.s, err, tt.want)
		}
	}
}

// TestRandomAccess: At gives the same value whether the steps are
// visited in order or not (the memo only saves time).
func TestRandomAccess(t *testing.T) {
	forward := &schedule.Cosine{LR: 0.1, TMax: 13, EtaMin: 0.001}
	var want []float64
	for i := range 60 {
		want = append(want, forward.At(i))
	}
	jumpy := &schedule.Cosine{LR: 0.1, TMax: 13, EtaMin: 0.001}
	for _, i := range []int{59, 3, 40, 41, 0, 17, 59} {
		if got := jumpy.At(i); got != want[i] {
			t.Errorf("At(%d) = %v out of order, %v in order", i, got, want[i])
		}
	}
}
