package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/descent-ml/descent/nn/initializer"
)

// The name -> initializer table that `init`, `lab`, `train` and `compare`
// share: `--init NAME --init-set k=v,...` (or `--scheme NAME --set ...`).
// Names and keys are torch.nn.init's, so a PyTorch user can read a command
// line as the Python call it stands for.

// initNames lists the scheme names in the lecture's order.
func initNames() []string { return initializer.Names() }

// initFromFlags builds the scheme called name with the settings in set
// ("k=v,k2=v2"), PyTorch's defaults filling in the rest.
func initFromFlags(name, set string) (initializer.Initializer, error) {
	init, err := initializer.New(name, set)
	return init, trimInitErr(err)
}

// trimInitErr drops the library's "initializer: " prefix; the CLI puts
// the flag's name there.
func trimInitErr(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(strings.TrimPrefix(err.Error(), "initializer: "))
}

// namedInit is a scheme together with the spec the user wrote for it, which
// labels it in CSV and pictures.
type namedInit struct {
	label string
	init  initializer.Initializer
}

// initListFromFlags parses a comma-separated list of schemes, each NAME or
// NAME(k=v,...) (initializer.ParseList); set applies to every scheme.
func initListFromFlags(list, set string) ([]namedInit, error) {
	named, err := initializer.ParseList(list, set)
	out := make([]namedInit, len(named))
	for i, n := range named {
		out[i] = namedInit{label: n.Label, init: n.Init}
	}
	return out, trimInitErr(err)
}

// initHelp is the table as help text: one line per scheme.
func initHelp() string {
	var b strings.Builder
	for _, name := range initializer.Names() {
		e, _ := initializer.Lookup(name)
		fmt.Fprintf(&b, "  %-16s %s", e.Name, e.Summary)
		if keys := initializer.Keys(name); len(keys) > 0 {
			fmt.Fprintf(&b, " [%s]", strings.Join(keys, ","))
		}
		b.WriteByte('\n')
	}
	return b.String()
}
