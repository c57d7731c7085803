package main

import (
	"errors"
	"strings"

	"github.com/descent-ml/descent/lab"
	"github.com/descent-ml/descent/nn/initializer"
)

// The name -> initializer table that `init`, `lab`, `train` and `compare`
// share: `--init NAME --init-set k=v,...` (or `--scheme NAME --set ...`).
// Names and keys are torch.nn.init's, so a PyTorch user can read a command
// line as the Python call it stands for.

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

// initList parses --init, a comma-separated list of schemes, each NAME or
// NAME(k=v,...) (lab.ParseInits), and --init-set, which applies to every
// scheme: the label of each is what the user wrote.
func initList(list, set string) ([]lab.NamedInit, error) {
	named, err := lab.ParseInits(list, set)
	if err != nil {
		return nil, usagef("--init: %v", trimInitErr(err))
	}
	return named, nil
}

// initHelp is the table as help text: one line per scheme.
var initHelp = initializer.Help
