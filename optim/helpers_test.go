package optim_test

import (
	"fmt"
	"slices"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// newOptimizer builds an optimizer by name from PyTorch-named settings, the
// test's own small version of the CLI's table. Lookahead takes "inner", "k"
// and "alpha"; its other settings go to the inner optimizer.
func newOptimizer[T optim.Float](name string, params []*autograd.Var[T], settings map[string]string) (optim.Optimizer[T], error) {
	set := func(cfg any, skip ...string) error {
		keys := make([]string, 0, len(settings))
		for k := range settings {
			keys = append(keys, k)
		}
		slices.Sort(keys) // deterministic error messages
		for _, k := range keys {
			if slices.Contains(skip, k) {
				continue
			}
			if err := optim.Set(cfg, k, settings[k]); err != nil {
				return err
			}
		}
		return nil
	}
	switch name {
	case "sgd":
		c := optim.SGDDefaults()
		if err := set(&c); err != nil {
			return nil, err
		}
		return optim.NewSGD(params, c)
	case "adagrad":
		c := optim.AdagradDefaults()
		if err := set(&c); err != nil {
			return nil, err
		}
		return optim.NewAdagrad(params, c)
	case "rmsprop":
		c := optim.RMSpropDefaults()
		if err := set(&c); err != nil {
			return nil, err
		}
		return optim.NewRMSprop(params, c)
	case "adadelta":
		c := optim.AdadeltaDefaults()
		if err := set(&c); err != nil {
			return nil, err
		}
		return optim.NewAdadelta(params, c)
	case "adam", "adamw", "adamax", "radam":
		c := map[string]optim.AdamConfig{"adam": optim.AdamDefaults(), "adamw": optim.AdamWDefaults(),
			"adamax": optim.AdamaxDefaults(), "radam": optim.RAdamDefaults()}[name]
		if err := set(&c); err != nil {
			return nil, err
		}
		switch name {
		case "adam":
			return optim.NewAdam(params, c)
		case "adamw":
			return optim.NewAdamW(params, c)
		case "adamax":
			return optim.NewAdamax(params, c)
		}
		return optim.NewRAdam(params, c)
	case "nadam":
		c := optim.NAdamDefaults()
		if err := set(&c); err != nil {
			return nil, err
		}
		return optim.NewNAdam(params, c)
	case "lookahead":
		c := optim.LookaheadDefaults()
		innerSettings := map[string]string{}
		for k, v := range settings {
			switch k {
			case "k", "alpha":
				if err := optim.Set(&c, k, v); err != nil {
					return nil, err
				}
			case "inner":
			default:
				innerSettings[k] = v
			}
		}
		inner, err := newOptimizer(settings["inner"], params, innerSettings)
		if err != nil {
			return nil, err
		}
		return optim.NewLookahead(inner, c)
	}
	return nil, fmt.Errorf("unknown optimizer %q", name)
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
