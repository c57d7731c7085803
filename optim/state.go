package optim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/tensor"
)

// State is a snapshot of an optimizer's state, PyTorch's state_dict in a
// form a checkpoint writer can serialize: named tensors and named scalars.
//
// Keys: "group.J.lr" and "group.J.weight_decay" for parameter group J;
// "I.step" and "I.NAME" for parameter I (counted across groups in order),
// NAME being PyTorch's name of the buffer ("momentum_buffer", "exp_avg",
// "exp_avg_sq", ...). Wrappers prefix the wrapped optimizer's keys
// ("inner.").
type State[T Float] struct {
	// Optimizer names the optimizer that wrote the state ("adam").
	Optimizer string
	Scalars   map[string]float64
	Tensors   map[string]*tensor.Tensor[T]
}

func newState[T Float](name string) *State[T] {
	return &State[T]{Optimizer: name, Scalars: map[string]float64{}, Tensors: map[string]*tensor.Tensor[T]{}}
}

// field names one entry of an optimizer's per-parameter state as
// PyTorch's state dict does: a buffer of the parameter's size ("exp_avg",
// nil until allocated) or a scalar ("mu_product").
type field[T Float] struct {
	name   string
	buf    *[]T
	scalar *float64
}

// buf and scalar make the fields of a state type's fields method.
func buf[T Float](name string, b *[]T) field[T]        { return field[T]{name: name, buf: b} }
func scalar[T Float](name string, x *float64) field[T] { return field[T]{name: name, scalar: x} }

// State returns a snapshot of the state; the tensors are copies.
func (b *base[T, S, PS]) State() *State[T] {
	st := newState[T](b.name)
	for j, g := range b.groups {
		st.Scalars["group."+strconv.Itoa(j)+".lr"] = g.LR
		st.Scalars["group."+strconv.Itoa(j)+".weight_decay"] = g.WeightDecay
	}
	for i := range b.slots {
		s := &b.slots[i]
		if s.step == 0 {
			continue
		}
		key := strconv.Itoa(i) + "."
		st.Scalars[key+"step"] = float64(s.step)
		for _, f := range PS(&s.state).fields() {
			switch {
			case f.scalar != nil:
				st.Scalars[key+f.name] = *f.scalar
			case *f.buf != nil:
				st.Tensors[key+f.name] = tensor.FromSlice(slices.Clone(*f.buf), s.v.Value.Shape()...)
			}
		}
	}
	return st
}

// LoadState restores a snapshot taken by State. Every key must be known
// and every tensor must have its parameter's shape.
func (b *base[T, S, PS]) LoadState(st *State[T]) error {
	if st == nil {
		return fmt.Errorf("optim: %s: nil state", b.name)
	}
	if st.Optimizer != b.name {
		return fmt.Errorf("optim: %s: cannot load the state of a %q optimizer", b.name, st.Optimizer)
	}
	used := map[string]bool{}
	get := func(key string) (float64, bool) {
		v, ok := st.Scalars[key]
		used[key] = ok
		return v, ok
	}
	for j, g := range b.groups {
		lr, ok1 := get("group." + strconv.Itoa(j) + ".lr")
		wd, ok2 := get("group." + strconv.Itoa(j) + ".weight_decay")
		if !ok1 || !ok2 {
			return fmt.Errorf("optim: %s: state lacks the learning rate or weight decay of group %d", b.name, j)
		}
		g.LR, g.WeightDecay = lr, wd
	}
	for i := range b.slots {
		s := &b.slots[i]
		key := strconv.Itoa(i) + "."
		step, _ := get(key + "step")
		s.step = int(step)
		var fresh S
		s.state = fresh
		for _, f := range PS(&s.state).fields() {
			if f.scalar != nil {
				*f.scalar, _ = get(key + f.name)
				continue
			}
			t, ok := st.Tensors[key+f.name]
			if !ok {
				continue
			}
			used[key+f.name] = true
			if !slices.Equal(t.Shape(), s.v.Value.Shape()) {
				return fmt.Errorf("optim: %s: state tensor %q has shape %v, parameter %d has shape %v", b.name, key+f.name, t.Shape(), i, s.v.Value.Shape())
			}
			*f.buf = slices.Clone(t.Data())
		}
	}
	return unusedKeys(b.name, st, used)
}

// unusedKeys reports keys of st that the loader did not recognise: a
// state from a different configuration or model.
func unusedKeys[T Float](name string, st *State[T], used map[string]bool) error {
	var extra []string
	for k := range st.Scalars {
		if !used[k] {
			extra = append(extra, k)
		}
	}
	for k := range st.Tensors {
		if !used[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		return fmt.Errorf("optim: %s: state has unexpected keys %s (a different model or optimizer?)", name, strings.Join(extra, ", "))
	}
	return nil
}
