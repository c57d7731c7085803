package nn

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/descent-ml/descent/tensor"
)

// NamedTensor is one entry of a state dict: a parameter's or buffer's name
// in PyTorch's state_dict naming ("0.weight", "1.running_mean") and its
// value. Exactly one of Tensor and Int64 is set: Int64 holds an integer
// scalar, a 0-dimensional int64 tensor in PyTorch (BatchNorm's
// num_batches_tracked), as one element.
type NamedTensor[T Float] struct {
	Name   string
	Tensor *tensor.Tensor[T]
	Int64  []int64
}

// Buffered is implemented by modules with state that is saved with the
// weights but not trained: PyTorch's buffers (BatchNorm's running_mean,
// running_var and num_batches_tracked). The entries share the module's
// storage, and their names are relative to the module, like parameters'
// names; a Sequential prefixes both.
type Buffered[T Float] interface {
	Buffers() []*NamedTensor[T]
}

// Buffers returns m's buffers, or none if it has none.
func Buffers[T Float](m Module[T]) []*NamedTensor[T] {
	if b, ok := m.(Buffered[T]); ok {
		return b.Buffers()
	}
	return nil
}

// StateDict returns m's parameters and buffers as ordered (name, tensor)
// pairs, in PyTorch's state_dict order and naming: layer by layer, each
// layer's parameters then its buffers. As in PyTorch the tensors are the
// model's own storage, not copies: Clone them to keep a snapshot that
// training will not overwrite.
//
// A layer used twice (weight sharing) is listed once, under its first name,
// as Sequential lists its parameters.
func StateDict[T Float](m Module[T]) []NamedTensor[T] {
	sd := appendState(nil, m)
	seen := map[any]bool{}
	return slices.DeleteFunc(sd, func(e NamedTensor[T]) bool {
		var key any = e.Tensor
		if e.Tensor == nil && len(e.Int64) > 0 {
			key = &e.Int64[0]
		}
		if seen[key] {
			return true
		}
		seen[key] = true
		return false
	})
}

func appendState[T Float](sd []NamedTensor[T], m Module[T]) []NamedTensor[T] {
	if s, ok := m.(*Sequential[T]); ok {
		for _, l := range s.Layers {
			sd = appendState(sd, l)
		}
		return sd
	}
	for _, p := range m.Parameters() {
		sd = append(sd, NamedTensor[T]{Name: p.Name, Tensor: p.Value})
	}
	for _, b := range Buffers(m) {
		sd = append(sd, *b)
	}
	return sd
}

// CloneStateDict returns a deep copy of sd.
func CloneStateDict[T Float](sd []NamedTensor[T]) []NamedTensor[T] {
	c := make([]NamedTensor[T], len(sd))
	for i, e := range sd {
		c[i] = NamedTensor[T]{Name: e.Name, Int64: slices.Clone(e.Int64)}
		if e.Tensor != nil {
			c[i].Tensor = e.Tensor.Clone()
		}
	}
	return c
}

// ConvertStateDict returns a copy of sd with element type U: to load a
// float64 checkpoint into a float32 model, or the reverse. Integer entries
// are copied as they are.
func ConvertStateDict[U, T Float](sd []NamedTensor[T]) []NamedTensor[U] {
	c := make([]NamedTensor[U], len(sd))
	for i, e := range sd {
		c[i] = NamedTensor[U]{Name: e.Name, Int64: slices.Clone(e.Int64)}
		if e.Tensor != nil {
			c[i].Tensor = tensor.Convert[U](e.Tensor)
		}
	}
	return c
}

// Shape returns the entry's shape: [] for an integer scalar.
func (e *NamedTensor[T]) Shape() []int {
	if e.Tensor == nil {
		return []int{}
	}
	return e.Tensor.Shape()
}

// LoadReport says which of a model's parameters and buffers a load filled.
type LoadReport struct {
	Loaded     []string // model entries copied from the state dict
	Missing    []string // model entries the state dict lacks (left as they were)
	Unexpected []string // state dict entries the model has no parameter for
}

// LoadStateDict copies the values in sd into m's parameters and buffers by
// name, like PyTorch's load_state_dict. An integer buffer
// (num_batches_tracked) also accepts a floating-point scalar holding an
// integer, as a safetensors file decoded to floats gives it. A shape mismatch is always an error naming the
// tensor and both shapes; with strict, so is any parameter missing from sd
// or any entry of sd the model does not have. Nothing is copied unless the
// whole load succeeds.
func LoadStateDict[T Float](m Module[T], sd []NamedTensor[T], strict bool) error {
	r, err := plan(m, sd)
	if err != nil {
		return err
	}
	if strict && (len(r.Missing) > 0 || len(r.Unexpected) > 0) {
		var parts []string
		if len(r.Missing) > 0 {
			parts = append(parts, "missing "+strings.Join(r.Missing, ", "))
		}
		if len(r.Unexpected) > 0 {
			parts = append(parts, "unexpected "+strings.Join(r.Unexpected, ", "))
		}
		return fmt.Errorf("nn: load state dict: %s (model has %s)", strings.Join(parts, "; "), strings.Join(names(m), ", "))
	}
	copyIn(m, sd)
	return nil
}

// LoadPartial copies every entry of sd whose name the model has into m and
// reports what it loaded, what the model has that sd lacks, and what sd has
// that the model lacks: for initializing a model from a checkpoint of a
// related one. A shape mismatch is still an error, and then nothing is
// copied.
func LoadPartial[T Float](m Module[T], sd []NamedTensor[T]) (LoadReport, error) {
	r, err := plan(m, sd)
	if err != nil {
		return LoadReport{}, err
	}
	copyIn(m, sd)
	return r, nil
}

// CheckPartial is LoadPartial's check without the copy: what LoadPartial
// would load, leave and ignore, or the error it would return (a shape
// mismatch, a duplicate entry). Check a file before training starts, load
// it after.
func CheckPartial[T Float](m Module[T], sd []NamedTensor[T]) (LoadReport, error) {
	return plan(m, sd)
}

// plan matches sd against m's parameters without changing anything.
func plan[T Float](m Module[T], sd []NamedTensor[T]) (LoadReport, error) {
	var r LoadReport
	seen := make(map[string]bool, len(sd))
	for _, e := range sd {
		if seen[e.Name] {
			return r, fmt.Errorf("nn: load state dict: entry %q appears twice", e.Name)
		}
		seen[e.Name] = true
	}
	have := make(map[string]bool)
	for _, p := range StateDict(m) {
		have[p.Name] = true
		i := slices.IndexFunc(sd, func(e NamedTensor[T]) bool { return e.Name == p.Name })
		if i < 0 {
			r.Missing = append(r.Missing, p.Name)
			continue
		}
		e := &sd[i]
		if e.Tensor == nil && len(e.Int64) != 1 {
			return r, fmt.Errorf("nn: load state dict: %q holds %d integers, want a tensor or one integer", p.Name, len(e.Int64))
		}
		if !tensor.EqualShapes(p.Shape(), e.Shape()) {
			return r, fmt.Errorf("nn: load state dict: %q has shape %v in the state dict but %v in the model",
				p.Name, e.Shape(), p.Shape())
		}
		if p.Int64 != nil && e.Tensor != nil {
			if v := float64(e.Tensor.Data()[0]); v != math.Trunc(v) || math.Abs(v) > 1<<53 {
				return r, fmt.Errorf("nn: load state dict: %q is the integer %s but the state dict holds %v", p.Name, p.Name, v)
			}
		}
		r.Loaded = append(r.Loaded, p.Name)
	}
	for _, e := range sd {
		if !have[e.Name] {
			r.Unexpected = append(r.Unexpected, e.Name)
		}
	}
	return r, nil
}

// copyIn copies the entries of sd (already checked by plan) into m,
// converting between integer and floating-point scalars.
func copyIn[T Float](m Module[T], sd []NamedTensor[T]) {
	for _, p := range StateDict(m) {
		for _, e := range sd {
			if e.Name != p.Name {
				continue
			}
			switch {
			case p.Tensor != nil && e.Tensor != nil:
				copy(p.Tensor.Data(), e.Tensor.Data())
			case p.Tensor != nil:
				p.Tensor.Data()[0] = T(e.Int64[0])
			case e.Tensor != nil:
				p.Int64[0] = int64(e.Tensor.Data()[0])
			default:
				p.Int64[0] = e.Int64[0]
			}
			break
		}
	}
}

func names[T Float](m Module[T]) []string {
	var out []string
	for _, p := range StateDict(m) {
		out = append(out, p.Name)
	}
	return out
}
