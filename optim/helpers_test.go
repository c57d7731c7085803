package optim_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// newOptimizer builds an optimizer by name through the registry,
// optim.New, from PyTorch-named settings (sorted, so errors are
// deterministic).
func newOptimizer[T optim.Float](name string, params []*autograd.Var[T], settings map[string]string) (optim.Optimizer[T], error) {
	keys := slices.Sorted(maps.Keys(settings))
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = k + "=" + settings[k]
	}
	return optim.New(name, params, strings.Join(pairs, ","))
}

// stringSettings turns JSON settings into the strings Set parses.
func stringSettings(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = strings.TrimSpace(fmt.Sprint(v))
	}
	return out
}

// vecParam returns a float64 parameter holding vals.
func vecParam(name string, vals ...float64) *autograd.Var[float64] {
	return autograd.NewParam(tensor.FromSlice(slices.Clone(vals), len(vals)), name)
}
