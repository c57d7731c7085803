package lab

import (
	"testing"

	dtrain "github.com/descent-ml/descent/train"
)

func TestOptimizerDefaults(t *testing.T) {
	def := dtrain.Defaults()
	for _, tc := range []struct {
		name          string
		opt, set, lr  string
		given         []string
		wantSet, want string
	}{
		{"default sgd keeps its settings", def.Opt, def.Set, def.LR, nil, def.Set, def.LR},
		{"sgd given keeps them", def.Opt, def.Set, def.LR, []string{"opt"}, def.Set, def.LR},
		{"adam gets its lr and no sgd settings", "adam", def.Set, def.LR, []string{"opt"}, "", "0.001"},
		{"adam keeps a given lr and set", "adam", "eps=1e-6", "0.01", []string{"opt", "set", "lr"}, "eps=1e-6", "0.01"},
		{"unknown optimizer: no lr", "nosuch", def.Set, def.LR, []string{"opt"}, "", ""},
		{"opt not given: untouched", "adam", def.Set, def.LR, nil, def.Set, def.LR},
	} {
		c := def
		c.Opt, c.Set, c.LR = tc.opt, tc.set, tc.lr
		given := map[string]bool{}
		for _, k := range tc.given {
			given[k] = true
		}
		OptimizerDefaults(&c, given)
		if c.Set != tc.wantSet || c.LR != tc.want {
			t.Errorf("%s: set %q lr %q, want %q %q", tc.name, c.Set, c.LR, tc.wantSet, tc.want)
		}
	}
}
