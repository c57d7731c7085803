package schedule

import (
	"fmt"
	"slices"
	"strings"

	"github.com/descent-ml/descent/internal/kv"
)

// Config is a schedule's typed configuration: the schedule struct itself,
// whose settable fields carry PyTorch's argument names as `kv` tags, with
// the Validate that New calls.
type Config interface {
	Schedule
	Validate() error
}

// Entry is one row of the registry: a schedule's name, a one-line summary,
// its defaults for an optimizer of learning rate lr and a run of steps
// steps (a pointer to a fresh schedule holding PyTorch's defaults; the
// settings New is given then override them), and the settings without
// a default, which must be given.
type Entry struct {
	Name, Summary string
	Defaults      func(lr float64, steps int) Config
	Required      []string
}

// registry lists the schedules in the lecture's order. Every one also
// takes warmup and warmup_start_factor (Warmup).
var registry = []Entry{
	{"constant", "a constant learning rate", func(lr float64, _ int) Config { return &Constant{LR: lr} }, nil},
	{"step", "StepLR: times gamma every step_size steps",
		func(lr float64, _ int) Config { return &Step{LR: lr, Gamma: 0.1} }, []string{"step_size"}},
	{"multistep", "MultiStepLR: times gamma at each milestone",
		func(lr float64, _ int) Config { return &MultiStep{LR: lr, Gamma: 0.1} }, []string{"milestones"}},
	{"exponential", "ExponentialLR: times gamma every step",
		func(lr float64, _ int) Config { return &Exponential{LR: lr} }, []string{"gamma"}},
	{"cosine", "CosineAnnealingLR over T_max steps (default: the run)",
		func(lr float64, steps int) Config { return &Cosine{LR: lr, TMax: steps} }, nil},
	{"cyclic", "CyclicLR between base_lr (default: lr) and max_lr",
		func(lr float64, _ int) Config { c := CyclicDefaults(lr, 0); return &c }, []string{"max_lr"}},
	{"onecycle", "OneCycleLR peaking at max_lr (default: lr) over total_steps (default: the run)",
		func(lr float64, steps int) Config { c := OneCycleDefaults(lr, steps); return &c }, nil},
}

// warmupKeys are the settings every schedule takes for a linear warm-up.
var warmupKeys = []string{"warmup", "warmup_start_factor"}

// Names returns the schedules New builds, in the lecture's order.
func Names() []string {
	names := make([]string, len(registry))
	for i, e := range registry {
		names[i] = e.Name
	}
	return names
}

// Lookup returns the registry row of name.
func Lookup(name string) (Entry, bool) {
	i := slices.IndexFunc(registry, func(e Entry) bool { return e.Name == name })
	if i < 0 {
		return Entry{}, false
	}
	return registry[i], true
}

// Keys returns the settings of a schedule (PyTorch's argument names),
// without the warm-up's, which every schedule takes.
func Keys(name string) []string {
	e, ok := Lookup(name)
	if !ok {
		return nil
	}
	return kv.Keys(e.Defaults(0, 0))
}

// New builds the schedule called name for an optimizer of learning rate lr
// in a run of steps optimizer steps, from PyTorch's defaults and settings,
// "k=v,k=v" with PyTorch's argument names:
//
//	s, err := schedule.New("step", 0.1, 100, "step_size=30,gamma=0.5")
//
// steps is the default of cosine's T_max and onecycle's total_steps
// (which PyTorch requires), less the warm-up: warmup=W (and
// warmup_start_factor) put a linear Warmup of W steps before any
// schedule, which then finishes with the run. Errors name the bad key and
// list the valid ones.
func New(name string, lr float64, steps int, settings string) (Schedule, error) {
	pairs, err := kv.Split(settings)
	if err != nil {
		return nil, fmt.Errorf("schedule: %s: %v", name, err)
	}
	return Build(name, lr, steps, pairs)
}

// Build is New with the settings already split into pairs.
func Build(name string, lr float64, steps int, pairs []kv.Pair) (Schedule, error) {
	e, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("schedule: unknown schedule %q; valid schedules: %s", name, strings.Join(Names(), ", "))
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("schedule: %s: %s", name, fmt.Sprintf(format, args...))
	}
	valid := append(Keys(name), warmupKeys...)
	var own, warm []kv.Pair
	given := map[string]bool{}
	for _, p := range pairs {
		if !slices.Contains(valid, p.Key) {
			return nil, fail("unknown setting %q; valid settings: %s", p.Key, strings.Join(valid, ", "))
		}
		given[p.Key] = true
		if slices.Contains(warmupKeys, p.Key) {
			warm = append(warm, p)
		} else {
			own = append(own, p)
		}
	}
	for _, k := range e.Required {
		if !given[k] {
			return nil, fail("%s is required", k)
		}
	}
	w := &Warmup{StartFactor: 1.0 / 3, LR: lr}
	if err := kv.Apply(warm, w); err != nil {
		return nil, fail("%v", err)
	}
	if w.Steps > 0 {
		// After a warm-up the schedule runs for the steps it leaves, and
		// a default T_max or total_steps must make it finish there.
		ownLength := given["T_max"] || given["total_steps"] || given["epochs"] || given["steps_per_epoch"]
		if w.Steps >= steps && (name == "cosine" || name == "onecycle") && !ownLength {
			return nil, fail("warmup=%d leaves none of the %d steps for the schedule", w.Steps, steps)
		}
		steps -= w.Steps
	}
	cfg := e.Defaults(lr, steps)
	if oc, ok := cfg.(*OneCycle); ok && (given["epochs"] || given["steps_per_epoch"]) {
		oc.TotalSteps = 0 // epochs*steps_per_epoch, as PyTorch
	}
	if err := kv.Apply(own, cfg); err != nil {
		return nil, fail("%v", err)
	}
	if c, ok := cfg.(*Cyclic); ok && given["step_size_down"] && c.StepSizeDown < 0 {
		return nil, fail("step_size_down must be >= 0 (leave it out for step_size_up), got %d", c.StepSizeDown)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !given["warmup"] && !given["warmup_start_factor"] {
		return cfg, nil
	}
	w.Inner = cfg
	if err := w.Validate(); err != nil {
		return nil, err
	}
	return w, nil
}

// PlateauFrom builds ReduceLROnPlateau for an optimizer of learning rate
// lr from PyTorch's defaults (NewPlateau) and settings "k=v,k=v" with
// PyTorch's argument names (mode, factor, patience, threshold,
// threshold_mode, cooldown, min_lr, eps).
func PlateauFrom(lr float64, settings string) (*Plateau, error) {
	p := NewPlateau(lr)
	if err := kv.Decode(settings, p); err != nil {
		return nil, fmt.Errorf("schedule: plateau: %v", err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}
