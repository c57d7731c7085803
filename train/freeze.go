package train

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// SelectFrozen returns the parameters of m whose names start with one of
// prefixes: what freezing those prefixes (descent train --freeze, PyTorch's
// p.requires_grad_(False) over a name filter) keeps fixed. It checks the
// choice before anything is trained: an empty prefix (it would match every
// name), a prefix that matches no parameter, and a choice that leaves no
// parameter to train are errors naming the parameters there are. Freeze
// the result with Freeze once the weights are those training starts from.
func SelectFrozen[T tensor.Float](m nn.Module[T], prefixes []string) ([]*autograd.Var[T], error) {
	params := m.Parameters()
	names := make([]string, len(params))
	for i, p := range params {
		names[i] = p.Name
	}
	var frozen []*autograd.Var[T]
	for _, prefix := range prefixes {
		if prefix == "" {
			return nil, fmt.Errorf("train: freeze: an empty prefix matches every parameter; name layers like 0.,2. (parameters: %s)",
				strings.Join(names, ", "))
		}
		if !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, prefix) }) {
			return nil, fmt.Errorf("train: freeze: prefix %q matches no parameter; parameters: %s", prefix, strings.Join(names, ", "))
		}
	}
	for _, p := range params {
		if slices.ContainsFunc(prefixes, func(prefix string) bool { return strings.HasPrefix(p.Name, prefix) }) {
			frozen = append(frozen, p)
		}
	}
	if len(frozen) == len(params) {
		return nil, fmt.Errorf("train: freeze: the prefixes cover every parameter (%s): nothing would train",
			strings.Join(names, ", "))
	}
	return frozen, nil
}

// Freeze turns off the gradients of params, so that no optimizer, and no
// wrapper around one, moves them.
func Freeze[T tensor.Float](params []*autograd.Var[T]) {
	for _, p := range params {
		p.SetRequiresGrad(false)
	}
}

// CheckFinite returns an error naming the first tensor of sd, and the
// index of its first element, that is NaN or infinite: weights read from
// a file (an --init-from, a checkpoint) are bad input then, not a run
// that diverged.
func CheckFinite(sd []nn.NamedTensor[float32]) error {
	for _, e := range sd {
		if e.Tensor == nil {
			continue // an integer buffer
		}
		xs := e.Tensor.Data()
		if allFinite(xs) {
			continue
		}
		i := slices.IndexFunc(xs, func(v float32) bool { return math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) })
		return fmt.Errorf("tensor %q holds %v at element %d: want finite weights", e.Name, xs[i], i)
	}
	return nil
}
