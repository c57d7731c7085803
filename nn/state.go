package nn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/descent-ml/descent/tensor"
)

// NamedTensor is one entry of a state dict: a parameter's name in PyTorch's
// state_dict naming ("0.weight") and its value.
type NamedTensor[T Float] struct {
	Name   string
	Tensor *tensor.Tensor[T]
}

// StateDict returns m's parameters as ordered (name, tensor) pairs, in
// PyTorch's state_dict order and naming. As in PyTorch the tensors are the
// parameters' own storage, not copies: Clone them to keep a snapshot that
// training will not overwrite.
func StateDict[T Float](m Module[T]) []NamedTensor[T] {
	params := m.Parameters()
	sd := make([]NamedTensor[T], len(params))
	for i, p := range params {
		sd[i] = NamedTensor[T]{Name: p.Name, Tensor: p.Value}
	}
	return sd
}

// CloneStateDict returns a deep copy of sd.
func CloneStateDict[T Float](sd []NamedTensor[T]) []NamedTensor[T] {
	c := make([]NamedTensor[T], len(sd))
	for i, e := range sd {
		c[i] = NamedTensor[T]{Name: e.Name, Tensor: e.Tensor.Clone()}
	}
	return c
}

// ConvertStateDict returns a copy of sd with element type U: to load a
// float64 checkpoint into a float32 model, or the reverse.
func ConvertStateDict[U, T Float](sd []NamedTensor[T]) []NamedTensor[U] {
	c := make([]NamedTensor[U], len(sd))
	for i, e := range sd {
		c[i] = NamedTensor[U]{Name: e.Name, Tensor: tensor.Convert[U](e.Tensor)}
	}
	return c
}

// LoadReport says which of a model's parameters a load filled.
type LoadReport struct {
	Loaded     []string // model parameters copied from the state dict
	Missing    []string // model parameters the state dict lacks (left as they were)
	Unexpected []string // state dict entries the model has no parameter for
}

// LoadStateDict copies the values in sd into m's parameters by name, like
// PyTorch's load_state_dict. A shape mismatch is always an error naming the
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
	for _, p := range m.Parameters() {
		have[p.Name] = true
		i := slices.IndexFunc(sd, func(e NamedTensor[T]) bool { return e.Name == p.Name })
		if i < 0 {
			r.Missing = append(r.Missing, p.Name)
			continue
		}
		if !tensor.SameShape(p.Value, sd[i].Tensor) {
			return r, fmt.Errorf("nn: load state dict: %q has shape %v in the state dict but %v in the model",
				p.Name, sd[i].Tensor.Shape(), p.Value.Shape())
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

// copyIn copies the entries of sd (already checked by plan) into m.
func copyIn[T Float](m Module[T], sd []NamedTensor[T]) {
	for _, p := range m.Parameters() {
		for _, e := range sd {
			if e.Name == p.Name {
				copy(p.Value.Data(), e.Tensor.Data())
				break
			}
		}
	}
}

func names[T Float](m Module[T]) []string {
	var out []string
	for _, p := range m.Parameters() {
		out = append(out, p.Name)
	}
	return out
}
