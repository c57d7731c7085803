package schedule

import "fmt"

// CheckLength refuses what PyTorch refuses: reading a schedule at more
// steps than it has. OneCycle (also inside Warmup) is defined for
// total_steps+1 learning rates, the one at construction and one per step;
// PyTorch raises "Tried to step N times" past them. The other schedules
// go on for ever.
func CheckLength(s Schedule, steps int) error {
	if w, ok := s.(*Warmup); ok {
		return CheckLength(w.Inner, steps-w.Steps)
	}
	if oc, ok := s.(*OneCycle); ok && steps > oc.Total()+1 {
		return fmt.Errorf("schedule: onecycle: %d steps go past total_steps %d (PyTorch raises \"Tried to step %d times\"); give total_steps >= %d",
			steps, oc.Total(), oc.Total()+2, steps-1)
	}
	return nil
}
