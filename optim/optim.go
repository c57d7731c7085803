// Package optim implements the lecture's optimizers with PyTorch's exact
// semantics: the update rules, defaults, argument names and validation of
// torch.optim, so that hyperparameters port from PyTorch unchanged.
//
// Every optimizer works on a list of parameter groups (each with its own
// learning rate and weight decay) of autograd Vars, reading Grad and
// updating Value in place. The same generic code serves float32 training
// and the float64 traces of `descent trace`: no rule exists twice.
//
// Each optimizer's per-element math is one fused step of internal/kernel
// (kernel.AdamStep, kernel.RMSpropStep, ...), whose pure-Go loop is the
// specification for every element type and whose float32 form runs in
// SIMD assembly on CPUs with AVX2 or AVX-512, under every option,
// bit-identical to that loop, split over the kernel's workers for large
// tensors. The optimizer's Step computes the per-step scalars (bias
// corrections, decayed rates) next to the lecture's formula. A step
// allocates nothing once the state exists (it is created on the first
// step, as in PyTorch).
//
// Every optimizer has a config struct with PyTorch's argument names as
// `kv` tags, a Defaults function with PyTorch's defaults and a Validate
// method that its constructor calls; New builds one by name from a
// "k=v,k=v" string (the registry in registry.go).
package optim

import (
	"fmt"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// Float is the set of element types the optimizers work on.
type Float = tensor.Float

// Optimizer updates parameters from their gradients: torch.optim's
// Optimizer, with its state made explicit.
type Optimizer[T Float] interface {
	// Step applies one update to every parameter that requires a gradient.
	Step()
	// ZeroGrad sets every parameter's gradient to zero.
	ZeroGrad()
	// Groups returns the parameter groups. Schedules change a group's LR
	// (and WeightDecay) between steps; Params must not be changed.
	Groups() []*Group[T]
	// State returns a snapshot of the optimizer's state (step counts,
	// per-parameter buffers, group learning rates) for checkpoints.
	State() *State[T]
	// LoadState restores a snapshot taken by State from an optimizer of the
	// same kind and configuration over parameters of the same shapes, so
	// that the following steps are bit for bit those of the original.
	LoadState(s *State[T]) error
}

// MomentumSetter is implemented by optimizers with a momentum (SGD,
// RMSprop) or a first-moment decay beta1 (the Adam family), which cyclic
// schedules may vary from step to step (CyclicLR's and OneCycleLR's
// cycle_momentum).
type MomentumSetter interface {
	SetMomentum(m float64)
	// Momentum returns the value in use, for statistics and the dashboard.
	Momentum() float64
}

// Group is a set of parameters sharing a learning rate and a weight decay,
// PyTorch's param_group.
type Group[T Float] struct {
	Params      []*autograd.Var[T]
	LR          float64
	WeightDecay float64
}

// ZeroGrad sets the gradient of every parameter in params to zero.
func ZeroGrad[T Float](params []*autograd.Var[T]) {
	for _, p := range params {
		p.ZeroGrad()
	}
}

// slot is one parameter and its optimizer state.
type slot[T Float, S any] struct {
	v     *autograd.Var[T]
	group *Group[T]
	step  int // PyTorch's state['step']: updates applied so far
	state S   // the optimizer's own state (adamState, ...), zero until the first step
}

// stateOf is the constraint on an optimizer's per-parameter state type S:
// *S names its fields as PyTorch's state dict does (see field), which is
// all that State and LoadState need to know of it.
type stateOf[T Float, S any] interface {
	*S
	fields() []field[T]
}

// base is the bookkeeping every optimizer shares: groups, one slot per
// parameter holding the optimizer's state S, step counts and state
// export. The update rules and the state types live in the optimizers'
// own files.
type base[T Float, S any, PS stateOf[T, S]] struct {
	name   string // PyTorch's class name in lower case: "adam"
	groups []*Group[T]
	slots  []slot[T, S]
}

func (b *base[T, S, PS]) init(name string, params []*autograd.Var[T], lr, weightDecay float64) error {
	b.name = name
	return b.AddGroup(params, lr, weightDecay)
}

// AddGroup adds a parameter group with its own learning rate and weight
// decay (PyTorch's add_param_group). A parameter in more than one group is
// an error, as in PyTorch ("some parameters appear in more than one
// parameter group"). A parameter listed twice within params is kept once:
// PyTorch 1.13 warns that this "will cause an error" in future and then
// updates it twice per step; we never update a parameter twice, so that a
// model that lists a shared layer's parameters twice trains as it would
// with nn.Module.parameters(), which de-duplicates.
func (b *base[T, S, PS]) AddGroup(params []*autograd.Var[T], lr, weightDecay float64) error {
	if len(params) == 0 {
		return fmt.Errorf("optim: %s: empty parameter list", b.name)
	}
	if lr < 0 {
		return fmt.Errorf("optim: %s: invalid learning rate %v (want lr >= 0)", b.name, lr)
	}
	if weightDecay < 0 {
		return fmt.Errorf("optim: %s: invalid weight_decay %v (want >= 0)", b.name, weightDecay)
	}
	for i, p := range params {
		if p == nil || p.Value == nil {
			return fmt.Errorf("optim: %s: parameter %d is nil", b.name, i)
		}
		for _, s := range b.slots {
			if s.v == p {
				return fmt.Errorf("optim: %s: parameter %d (%q) appears in more than one parameter group", b.name, i, p.Name)
			}
		}
	}
	params = dedup(params)
	g := &Group[T]{Params: params, LR: lr, WeightDecay: weightDecay}
	b.groups = append(b.groups, g)
	for _, p := range params {
		b.slots = append(b.slots, slot[T, S]{v: p, group: g})
	}
	return nil
}

// dedup returns params without repeats, first occurrences in order; params
// itself when it has none.
func dedup[T Float](params []*autograd.Var[T]) []*autograd.Var[T] {
	seen := make(map[*autograd.Var[T]]bool, len(params))
	out := params[:0:0]
	for _, p := range params {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	if len(out) == len(params) {
		return params
	}
	return out
}

// Kind returns the optimizer's name in lower case ("adam", "adamw"), the
// name its states carry.
func (b *base[T, S, PS]) Kind() string { return b.name }

// Groups returns the parameter groups.
func (b *base[T, S, PS]) Groups() []*Group[T] { return b.groups }

// ZeroGrad sets every parameter's gradient to zero.
func (b *base[T, S, PS]) ZeroGrad() {
	for i := range b.slots {
		b.slots[i].v.ZeroGrad()
	}
}

// next prepares slot i for an update: it returns nil for a parameter that
// takes no part (frozen, or without a gradient: see autograd.Var.HasGrad;
// PyTorch skips p.grad None, so neither weight decay nor momentum moves
// it) and counts the step. The optimizer's Step allocates the state on
// first use, as PyTorch does.
func (b *base[T, S, PS]) next(i int) *slot[T, S] {
	s := &b.slots[i]
	if !s.v.RequiresGrad() || !s.v.HasGrad() {
		return nil
	}
	if s.v.Grad.Len() != s.v.Value.Len() {
		panic(fmt.Sprintf("optim: %s: parameter %q has %d values but a gradient of %d", b.name, s.v.Name, s.v.Value.Len(), s.v.Grad.Len()))
	}
	s.step++
	return s
}

// p and g return the parameter's values and gradient.
func (s *slot[T, S]) p() []T { return s.v.Value.Data() }
func (s *slot[T, S]) g() []T { return s.v.Grad.Data() }

// zeros returns a new state buffer of the parameter's size filled with
// zeros (PyTorch's torch.zeros_like(p)); full returns one filled with x.
func (s *slot[T, S]) zeros() []T { return make([]T, s.v.Value.Len()) }

func (s *slot[T, S]) full(x T) []T {
	b := s.zeros()
	for i := range b {
		b[i] = x
	}
	return b
}
