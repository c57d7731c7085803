// Package schedule computes learning rates as functions of the step, with
// the values of torch.optim.lr_scheduler.
//
// A Schedule is a plain value (optax style): At(t) is the learning rate
// that optimizer step t uses, t = 0 being the first step, which is the
// value at construction in PyTorch. A training loop sets
// group.LR = s.At(t) before step t. PyTorch computes most schedules
// recursively, multiplying the previous learning rate (StepLR, for one,
// multiplies by gamma again at each milestone rather than taking a power),
// so the floating-point values drift from the closed form in the last
// bits; descent follows the same recursions, remembering the last value it
// computed so that consecutive steps cost O(1). Because of that memo a
// Schedule value is not safe for concurrent use.
//
// ReduceLROnPlateau depends on measured metrics rather than on the step
// and is the Plateau type.
package schedule

import "fmt"

// Schedule gives the learning rate of each optimizer step.
type Schedule interface {
	// At returns the learning rate for step t >= 0.
	At(t int) float64
}

// MomentumSchedule is implemented by schedules that can also cycle the
// optimizer's momentum (SGD's momentum, Adam's beta1), as PyTorch's
// CyclicLR and OneCycleLR do with cycle_momentum.
type MomentumSchedule interface {
	// MomentumAt returns the momentum for step t, and false when momentum
	// cycling is off.
	MomentumAt(t int) (float64, bool)
}

// memo remembers the last value of a recursive schedule.
type memo struct {
	t  int
	lr float64
	ok bool
}

// walk returns lr_t of the recursion lr_0 = first,
// lr_t = next(t, lr_{t-1}), continuing from the memo when t is not behind it.
func (m *memo) walk(t int, first float64, next func(t int, prev float64) float64) float64 {
	if t < 0 {
		panic(fmt.Sprintf("schedule: negative step %d", t))
	}
	if !m.ok || t < m.t {
		m.t, m.lr, m.ok = 0, first, true
	}
	for m.t < t {
		m.t++
		m.lr = next(m.t, m.lr)
	}
	return m.lr
}

// Constant is a constant learning rate.
type Constant struct{ LR float64 }

// At returns LR.
func (c *Constant) At(int) float64 { return c.LR }

// Validate checks the configuration.
func (c *Constant) Validate() error { return checkLR("constant", c.LR) }

func checkLR(name string, lr float64) error {
	if !(lr >= 0) {
		return fmt.Errorf("schedule: %s: invalid learning rate %v (want >= 0)", name, lr)
	}
	return nil
}
