package optim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/tensor"
)

// LookaheadConfig holds Lookahead's arguments (the paper's names).
type LookaheadConfig struct {
	K     int     `kv:"k"`     // fast steps per synchronization, default 5
	Alpha float64 `kv:"alpha"` // slow weights step size, default 0.5
}

// LookaheadDefaults returns the paper's defaults.
func LookaheadDefaults() LookaheadConfig { return LookaheadConfig{K: 5, Alpha: 0.5} }

// Validate checks c: k >= 1 and 0 <= alpha <= 1.
func (c LookaheadConfig) Validate() error {
	if c.K < 1 {
		return fmt.Errorf("optim: lookahead: invalid k %d (want k >= 1)", c.K)
	}
	if !(0 <= c.Alpha && c.Alpha <= 1) {
		return fmt.Errorf("optim: lookahead: invalid alpha %v (want 0 <= alpha <= 1)", c.Alpha)
	}
	return nil
}

// Lookahead is Zhang, Lucas, Hinton & Ba, "Lookahead Optimizer: k steps
// forward, 1 step back", NeurIPS 2019, arXiv:1907.08610. PyTorch has no
// Lookahead; this follows the paper (and optax's lookahead): it wraps any
// optimizer, whose steps move the fast weights (the parameters); every k
// steps the slow weights move a fraction alpha towards them and the fast
// weights restart from there:
//
//	fast = inner.Step(fast)                      every step
//	slow = slow + alpha*(fast - slow); fast = slow   after steps k, 2k, ...
//
// The slow weights start at the parameters' values when Lookahead is made;
// the inner optimizer's state (momentum, moments) is never reset. With
// k = 2, alpha = 0.5 on a 1-D walk of one unit per step from 3 downwards:
// 3 -> 2 -> 1, sync: slow = 3 + 0.5*(1-3) = 2, fast = 2.
type Lookahead[T Float] struct {
	Inner  Optimizer[T]
	cfg    LookaheadConfig
	params []*autograd.Var[T]
	slow   []*tensor.Tensor[T]
	count  int // inner steps taken, PyTorch-style step counter
}

var _ Optimizer[float32] = (*Lookahead[float32])(nil)

// NewLookahead wraps inner. The slow weights are copies of the parameters
// now.
func NewLookahead[T Float](inner Optimizer[T], cfg LookaheadConfig) (*Lookahead[T], error) {
	if inner == nil {
		return nil, fmt.Errorf("optim: lookahead: nil inner optimizer")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := &Lookahead[T]{Inner: inner, cfg: cfg}
	for _, g := range inner.Groups() {
		for _, p := range g.Params {
			o.params = append(o.params, p)
			o.slow = append(o.slow, p.Value.Clone())
		}
	}
	return o, nil
}

// Step takes one inner step and synchronizes every k steps.
func (o *Lookahead[T]) Step() {
	o.Inner.Step()
	o.count++
	if o.count%o.cfg.K != 0 {
		return
	}
	for i, p := range o.params {
		kernel.LookaheadSync(p.Value.Data(), o.slow[i].Data(), o.cfg.Alpha)
	}
}

// ZeroGrad zeroes the gradients through the inner optimizer.
func (o *Lookahead[T]) ZeroGrad() { o.Inner.ZeroGrad() }

// Groups returns the inner optimizer's groups.
func (o *Lookahead[T]) Groups() []*Group[T] { return o.Inner.Groups() }

// SetMomentum passes a momentum schedule's value to the inner optimizer.
func (o *Lookahead[T]) SetMomentum(m float64) {
	if ms, ok := o.Inner.(MomentumSetter); ok {
		ms.SetMomentum(m)
	}
}

// Momentum returns the inner optimizer's momentum (or beta1), 0 if it has none.
func (o *Lookahead[T]) Momentum() float64 {
	if mg, ok := o.Inner.(interface{ Momentum() float64 }); ok {
		return mg.Momentum()
	}
	return 0
}

// State returns the inner state under "inner." with the step counter
// ("step") and the slow weights ("slow.I").
func (o *Lookahead[T]) State() *State[T] {
	in := o.Inner.State()
	st := newState[T](o.Kind())
	st.Scalars["step"] = float64(o.count)
	st.Scalars["inner."+in.Optimizer] = 1 // records the inner optimizer's kind
	for k, v := range in.Scalars {
		st.Scalars["inner."+k] = v
	}
	for k, v := range in.Tensors {
		st.Tensors["inner."+k] = v
	}
	for i, s := range o.slow {
		st.Tensors["slow."+strconv.Itoa(i)] = s.Clone()
	}
	return st
}

// LoadState restores a snapshot taken by State.
func (o *Lookahead[T]) LoadState(st *State[T]) error {
	if st == nil || st.Optimizer != "lookahead" {
		return fmt.Errorf("optim: lookahead: not a lookahead state")
	}
	kind := kindOf(o.Inner)
	if _, ok := st.Scalars["inner."+kind]; !ok {
		return fmt.Errorf("optim: lookahead: the state's inner optimizer is not %s", kind)
	}
	inner := newState[T](kind)
	used := map[string]bool{"step": true, "inner." + kind: true}
	for k, v := range st.Scalars {
		if name, ok := strings.CutPrefix(k, "inner."); ok && k != "inner."+kind {
			inner.Scalars[name], used[k] = v, true
		}
	}
	for k, v := range st.Tensors {
		if name, ok := strings.CutPrefix(k, "inner."); ok {
			inner.Tensors[name], used[k] = v, true
		}
	}
	for i, s := range o.slow {
		t, ok := st.Tensors["slow."+strconv.Itoa(i)]
		if !ok || !slices.Equal(t.Shape(), s.Shape()) {
			return fmt.Errorf("optim: lookahead: state lacks slow weights %d of shape %v", i, s.Shape())
		}
		used["slow."+strconv.Itoa(i)] = true
	}
	if err := unusedKeys("lookahead", st, used); err != nil {
		return err
	}
	if err := o.Inner.LoadState(inner); err != nil {
		return err
	}
	for i, s := range o.slow {
		s.CopyFrom(st.Tensors["slow."+strconv.Itoa(i)])
	}
	o.count = int(st.Scalars["step"])
	return nil
}

// Kind returns "lookahead", the name its states carry.
func (o *Lookahead[T]) Kind() string { return "lookahead" }

// kindOf returns an optimizer's kind (the name its states carry) without
// taking a snapshot when it can.
func kindOf[T Float](o Optimizer[T]) string {
	if k, ok := o.(interface{ Kind() string }); ok {
		return k.Kind()
	}
	return o.State().Optimizer
}
