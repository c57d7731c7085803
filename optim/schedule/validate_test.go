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

// TestRegistry: every schedule builds from its defaults plus its required
// settings, and the registry's errors name the key and the valid ones.
func TestRegistry(t *testing.T) {
	required := map[string]string{"step": "step_size=3", "multistep": "milestones=[2,5]", "exponential": "gamma=0.9", "cyclic": "max_lr=1"}
	for _, name := range schedule.Names() {
		e, ok := schedule.Lookup(name)
		if !ok || e.Summary == "" {
			t.Errorf("%s: no registry row with a summary", name)
		}
		s, err := schedule.New(name, 0.1, 20, required[name])
		if err != nil || s.At(0) <= 0 {
			t.Errorf("%s: New: %v", name, err)
		}
	}
	cases := []struct{ name, set, want string }{
		{"linear", "", `unknown schedule "linear"; valid schedules: constant, step`},
		{"step", "", "schedule: step: step_size is required"},
		{"cosine", "T_max=x", `schedule: cosine: T_max: malformed integer "x"`},
		{"cosine", "eta_min=1,eta=2", "valid settings: T_max, eta_min, warmup, warmup_start_factor"},
		{"cosine", "T_max=0", "T_max must be positive"},
		{"cosine", "warmup=20", "warmup=20 leaves none of the 20 steps"},
		{"onecycle", "pct_start=2", "pct_start must be between 0 and 1"},
		{"cyclic", "max_lr=1,step_size_down=-1", "step_size_down must be >= 0"},
	}
	for _, c := range cases {
		if _, err := schedule.New(c.name, 0.1, 20, c.set); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%s, %q): %v; want an error containing %q", c.name, c.set, err, c.want)
		}
	}
	if _, err := schedule.PlateauFrom(0.1, "factor=2"); err == nil || !strings.Contains(err.Error(), "factor should be < 1.0") {
		t.Errorf("PlateauFrom factor=2: %v", err)
	}
	if _, err := schedule.PlateauFrom(0.1, "patience=x"); err == nil || !strings.Contains(err.Error(), `patience: malformed integer "x"`) {
		t.Errorf("PlateauFrom patience=x: %v", err)
	}
}
