package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kv"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/schedule"
)

// The name -> schedule table shared by trace, schedule, train and compare
// (--schedule NAME --schedule-set k=v,...); optimizers (--opt NAME --lr LR
// --set k=v,...) come from optim's registry. Keys are PyTorch's argument
// names (Adam's betas split into beta1 and beta2; booleans true/false).

// optimizerNames are the --opt names, in the lecture's order.
var optimizerNames = optim.Names()

// optimizerKeys returns the --set keys of a --opt name.
func optimizerKeys(name string) []string { return optim.Keys(name) }

// optimizerFromFlags builds the optimizer called name (or a preset) over
// params with learning rate lr (math.NaN() keeps PyTorch's default) and
// the --set string set. Errors name the bad key and list the valid ones.
func optimizerFromFlags[T optim.Float](name string, lr float64, set string, params []*autograd.Var[T]) (optim.Optimizer[T], error) {
	pairs, err := parseKV(set)
	if err != nil {
		return nil, err
	}
	return buildOptimizer(name, lr, pairs, params)
}

// buildOptimizer builds through optim.Build, giving --lr as lr= to the
// optimizer (to the inner one of lookahead).
func buildOptimizer[T optim.Float](name string, lr float64, pairs []keyValue, params []*autograd.Var[T]) (optim.Optimizer[T], error) {
	settings := make([]kv.Pair, 0, len(pairs)+1)
	for _, p := range pairs {
		if lr == lr && (p.Key == "lr" || p.Key == "inner.lr") {
			return nil, fmt.Errorf("%s: give the learning rate with --lr, not lr=", name)
		}
		settings = append(settings, kv.Pair{Key: p.Key, Value: p.Value})
	}
	if lr == lr { // not NaN
		settings = append(settings, kv.Pair{Key: "lr", Value: strconv.FormatFloat(lr, 'g', -1, 64)})
	}
	return optim.Build(name, params, settings)
}

// scheduleNames are the --schedule (and `descent schedule --name`) names.
var scheduleNames = []string{"constant", "step", "multistep", "exponential", "cosine", "cyclic", "onecycle"}

// scheduleKeys are each schedule's --schedule-set keys (PyTorch's names);
// every schedule also takes warmup (steps) and warmup_start_factor.
var scheduleKeys = map[string][]string{
	"constant":    {},
	"step":        {"step_size", "gamma"},
	"multistep":   {"milestones", "gamma"},
	"exponential": {"gamma"},
	"cosine":      {"T_max", "eta_min"},
	"cyclic": {"base_lr", "max_lr", "step_size_up", "step_size_down", "mode", "gamma",
		"cycle_momentum", "base_momentum", "max_momentum"},
	"onecycle": {"max_lr", "total_steps", "epochs", "steps_per_epoch", "pct_start", "anneal_strategy",
		"div_factor", "final_div_factor", "three_phase", "cycle_momentum", "base_momentum", "max_momentum"},
}

// settings reads k=v pairs by type, remembering the first error.
type settings struct {
	m   map[string]string
	err error
}

func (s *settings) has(k string) bool { _, ok := s.m[k]; return ok }

func (s *settings) float(k string, def float64) float64 {
	v, ok := s.m[k]
	if !ok || s.err != nil {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		s.err = fmt.Errorf("%s: malformed number %q", k, v)
	}
	return f
}

func (s *settings) int(k string, def int) int {
	v, ok := s.m[k]
	if !ok || s.err != nil {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		s.err = fmt.Errorf("%s: malformed integer %q", k, v)
	}
	return n
}

func (s *settings) bool(k string) bool {
	v, ok := s.m[k]
	if !ok || s.err != nil {
		return false
	}
	if v != "true" && v != "false" {
		s.err = fmt.Errorf("%s: want true or false, got %q", k, v)
	}
	return v == "true"
}

func (s *settings) str(k, def string) string {
	if v, ok := s.m[k]; ok {
		return v
	}
	return def
}

func (s *settings) ints(k string) []int {
	v := strings.Trim(s.m[k], "[]")
	if s.err != nil || v == "" {
		return nil
	}
	out, err := parseInts(v)
	if err != nil {
		s.err = fmt.Errorf("%s: %v", k, err)
	}
	return out
}

// scheduleFromFlags builds the schedule called name for an optimizer with
// learning rate lr, from --schedule-set. steps is the run's length: the
// default of T_max (cosine) and total_steps (onecycle), which PyTorch
// requires, less the warm-up steps, so that the schedule finishes with the
// run.
func scheduleFromFlags(name string, lr float64, set string, steps int) (schedule.Schedule, error) {
	keys, ok := scheduleKeys[name]
	if !ok {
		return nil, fmt.Errorf("unknown schedule %q; valid schedules: %s", name, strings.Join(scheduleNames, ", "))
	}
	kv, err := parseKV(set)
	if err != nil {
		return nil, err
	}
	s := &settings{m: map[string]string{}}
	valid := append(slices.Clone(keys), "warmup", "warmup_start_factor")
	for _, p := range kv {
		if !slices.Contains(valid, p.Key) {
			return nil, fmt.Errorf("%s: unknown setting %q; valid settings: %s", name, p.Key, strings.Join(valid, ", "))
		}
		s.m[p.Key] = p.Value
	}
	sc, err := buildSchedule(name, lr, s, steps)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, strings.TrimPrefix(err.Error(), "schedule: "+name+": "))
	}
	return sc, nil
}

func buildSchedule(name string, lr float64, s *settings, steps int) (schedule.Schedule, error) {
	// After a warm-up the inner schedule runs for the steps it leaves,
	// and a default T_max or total_steps must make it finish there.
	warmup := s.int("warmup", 0)
	if warmup > 0 {
		if warmup >= steps && (name == "cosine" && !s.has("T_max") ||
			name == "onecycle" && !s.has("total_steps") && !s.has("epochs") && !s.has("steps_per_epoch")) {
			return nil, fmt.Errorf("warmup=%d leaves none of the %d steps for the schedule", warmup, steps)
		}
		steps -= warmup
	}
	var sc schedule.Schedule
	switch name {
	case "constant":
		sc = &schedule.Constant{LR: lr}
	case "step":
		if !s.has("step_size") {
			return nil, fmt.Errorf("step_size is required")
		}
		sc = &schedule.Step{LR: lr, StepSize: s.int("step_size", 0), Gamma: s.float("gamma", 0.1)}
	case "multistep":
		if !s.has("milestones") {
			return nil, fmt.Errorf("milestones is required, e.g. milestones=[30,80]")
		}
		sc = &schedule.MultiStep{LR: lr, Milestones: s.ints("milestones"), Gamma: s.float("gamma", 0.1)}
	case "exponential":
		if !s.has("gamma") {
			return nil, fmt.Errorf("gamma is required")
		}
		sc = &schedule.Exponential{LR: lr, Gamma: s.float("gamma", 0)}
	case "cosine":
		sc = &schedule.Cosine{LR: lr, TMax: s.int("T_max", steps), EtaMin: s.float("eta_min", 0)}
	case "cyclic":
		if !s.has("max_lr") {
			return nil, fmt.Errorf("max_lr is required (base_lr defaults to --lr)")
		}
		c := schedule.CyclicDefaults(s.float("base_lr", lr), s.float("max_lr", 0))
		c.StepSizeUp, c.StepSizeDown = s.int("step_size_up", 2000), s.int("step_size_down", -1)
		if s.has("step_size_down") && c.StepSizeDown < 0 {
			return nil, fmt.Errorf("step_size_down must be >= 0 (leave it out for step_size_up), got %d", c.StepSizeDown)
		}
		c.Mode, c.Gamma = s.str("mode", "triangular"), s.float("gamma", 1)
		c.CycleMomentum = s.bool("cycle_momentum")
		c.BaseMomentum, c.MaxMomentum = s.float("base_momentum", 0.8), s.float("max_momentum", 0.9)
		sc = &c
	case "onecycle":
		c := schedule.OneCycleDefaults(s.float("max_lr", lr), 0)
		c.Epochs, c.StepsPerEpoch = s.int("epochs", 0), s.int("steps_per_epoch", 0)
		c.TotalSteps = s.int("total_steps", 0)
		if c.TotalSteps == 0 && !s.has("epochs") && !s.has("steps_per_epoch") {
			c.TotalSteps = steps
		}
		c.PctStart, c.AnnealStrategy = s.float("pct_start", 0.3), s.str("anneal_strategy", "cos")
		c.DivFactor, c.FinalDivFactor = s.float("div_factor", 25), s.float("final_div_factor", 1e4)
		c.ThreePhase, c.CycleMomentum = s.bool("three_phase"), s.bool("cycle_momentum")
		c.BaseMomentum, c.MaxMomentum = s.float("base_momentum", 0.85), s.float("max_momentum", 0.95)
		sc = &c
	}
	if s.has("warmup") || s.has("warmup_start_factor") {
		sc = &schedule.Warmup{Steps: warmup, StartFactor: s.float("warmup_start_factor", 1.0/3), Inner: sc, LR: lr}
	}
	if s.err != nil {
		return nil, s.err
	}
	if v, ok := sc.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	if w, ok := sc.(*schedule.Warmup); ok {
		if v, ok := w.Inner.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				return nil, err
			}
		}
	}
	return sc, nil
}
