package initializer_test

import (
	"strings"
	"testing"

	"github.com/descent-ml/descent/nn/initializer"
)

// TestRegistry: every scheme builds from its defaults (plus its required
// settings) into the initializer its name says, and errors name the key
// and list the valid ones with PyTorch's defaults.
func TestRegistry(t *testing.T) {
	for _, name := range initializer.Names() {
		set := map[string]string{"constant": "val=0.5"}[name]
		init, err := initializer.New(name, set)
		if err != nil || !strings.HasPrefix(init.String(), name) {
			t.Errorf("New(%s, %q) = %v, %v", name, set, init, err)
		}
	}
	cases := []struct{ name, set, want string }{
		{"he", "", `unknown init scheme "he"; valid: zeros, ones`},
		{"constant", "", "needs val=VALUE"},
		{"xavier_uniform", "a=1", "valid keys: gain (default 1)"},
		{"kaiming_normal", "mode=fan", "valid: fan_in, fan_out"},
		{"kaiming_uniform", "b=1", "valid keys: a (default 0), mode (default fan_in), nonlinearity (default leaky_relu)"},
		{"eye", "gain=2", "it takes no settings"},
		{"normal", "std=x", `std: malformed number "x"`},
		{"uniform", "a=2,b=1", "uniform needs a <= b"},
		{"orthogonal", "gain=0", "needs a positive gain"},
	}
	for _, c := range cases {
		if _, err := initializer.New(c.name, c.set); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%s, %q): %v; want an error containing %q", c.name, c.set, err, c.want)
		}
	}
}

func TestHelpHasEveryScheme(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(initializer.Help(), "\n"), "\n")
	names := initializer.Names()
	if len(lines) != len(names) {
		t.Fatalf("Help has %d lines for %d schemes", len(lines), len(names))
	}
	for i, name := range names {
		if !strings.HasPrefix(lines[i], "  "+name+" ") {
			t.Errorf("line %d %q: want scheme %s", i, lines[i], name)
		}
	}
}
