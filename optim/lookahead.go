package optim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// LookaheadConfig holds Lookahead's arguments (the paper's names).
type LookaheadConfig struct {
	K     int     `opt:"k"`     // fast steps per synchronization, default 5
	Alpha float64 `opt:"alpha"` // slow weights step size, default 0.5
}

// LookaheadDefaults returns the paper's defaults.
func LookaheadDefaults() LookaheadConfig { return LookaheadConfig{K: 5, Alpha: 0.5} }

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
	k      lookaheadKernel[T]
	run    func(lo, hi int)
	split  splitter
}

var _ Optimizer[float32] = (*Lookahead[float32])(nil)

// NewLookahead wraps inner. The slow weights are copies of the parameters
// now.
func NewLookahead[T Float](inner Optimizer[T], cfg LookaheadConfig) (*Lookahead[T], error) {
	if inner == nil {
		return nil, fmt.Errorf("optim: lookahead: nil inner optimizer")
	}
	if cfg.K < 1 {
		return nil, fmt.Errorf("optim: lookahead: invalid k %d (want k >= 1)", cfg.K)
	}
	if !(0 <= cfg.Alpha && cfg.Alpha <= 1) {
		return nil, fmt.Errorf("optim: lookahead: invalid alpha %v (want 0 <= alpha <= 1)", cfg.Alpha)
	}
	o := &Lookahead[T]{Inner: inner, cfg: cfg}
	for _, g := range inner.Groups() {
		for _, p := range g.Params {
			o.params = append(o.params, p)
			o.slow = append(o.slow, p.Value.Clone())
		}
	}
	o.run = o.k.run
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
		o.k = lookaheadKernel[T]{fast: p.Value.Data(), slow: o.slow[i].Data(), alpha: T(o.cfg.Alpha)}
		o.split.run(len(o.k.fast), o.run)
	}
}

type lookaheadKernel[T Float] struct {
	fast, slow []T
	alpha      T
}

func (k *lookaheadKernel[T]) run(lo, hi int) { lookaheadSync(k.fast[lo:hi], k.slow[lo:hi], k.alpha) }

// lookaheadSync moves the slow weights towards the fast ones and resets
// the fast weights to them.
func lookaheadSync[T Float](fast, slow []T, alpha T) {
	slow = slow[:len(fast)]
	for i := range fast {
		slow[i] += alpha * (fast[i] - slow[i])
		fast[i] = slow[i]
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

// State returns the inner state under "inner." with the step counter
// ("step") and the slow weights ("slow.I").
func (o *Lookahead[T]) State() *State[T] {
	in := o.Inner.State()
	st := newState[T]("lookahead")
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
	in := o.Inner.State() // only for the inner optimizer's name
	if _, ok := st.Scalars["inner."+in.Optimizer]; !ok {
		return fmt.Errorf("optim: lookahead: the state's inner optimizer is not %s", in.Optimizer)
	}
	inner := newState[T](in.Optimizer)
	used := map[string]bool{"step": true, "inner." + in.Optimizer: true}
	for k, v := range st.Scalars {
		if name, ok := strings.CutPrefix(k, "inner."); ok && k != "inner."+in.Optimizer {
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
