package race

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kv"
	"github.com/descent-ml/descent/optim"
)

// SettingsError is a settings string that does not parse, or a setting
// that no optimizer of the race takes.
type SettingsError struct{ Err error }

func (e *SettingsError) Error() string { return "race: settings: " + e.Err.Error() }

// LRSettingError is an optimizer whose settings give lr= (or inner.lr=)
// beside the learning rate the race gives it.
type LRSettingError struct{ Opt string }

func (e *LRSettingError) Error() string {
	return "race: " + e.Opt + ": the race gives the learning rate, not the setting lr="
}

// Optimizers checks the settings of every optimizer of a race at once
// (settings is "k=v,...", shared out by SplitSettings) and returns their
// builders. names are optim registry names (optim.Build: momentum and
// nesterov are presets of SGD); optimizer i learns at rates[i] (given as
// lr=, to the inner optimizer of lookahead), or at its default where
// rates[i] is NaN (see Rates).
func Optimizers(names []string, rates []float64, settings string) ([]NewOptimizer, error) {
	pairs, err := kv.Split(settings)
	if err != nil {
		return nil, &SettingsError{err}
	}
	own, err := SplitSettings(names, pairs)
	if err != nil {
		return nil, &SettingsError{errors.New(strings.TrimPrefix(err.Error(), "race: "))}
	}
	builders := make([]NewOptimizer, len(names))
	for i, name := range names {
		lr, set := rates[i], slices.Clip(own[i])
		if !isNaN(lr) {
			if slices.ContainsFunc(set, func(p kv.Pair) bool { return p.Key == "lr" || p.Key == "inner.lr" }) {
				return nil, &LRSettingError{name}
			}
			set = append(set, kv.Pair{Key: "lr", Value: strconv.FormatFloat(lr, 'g', -1, 64)})
		}
		builders[i] = func(params []*autograd.Var[float64]) (optim.Optimizer[float64], error) {
			return optim.Build(name, params, set)
		}
		// Build once now so that errors surface before any run.
		if _, err := builders[i]([]*autograd.Var[float64]{ProbeParam(), ProbeParam()}); err != nil {
			return nil, err
		}
	}
	return builders, nil
}

func isNaN(v float64) bool { return v != v }

// Run traces the optimizers that builders build (Optimizers) from (x0,
// y0) for steps steps each (Trace), and labels path i names[i], followed
// by " lr=RATE" unless rates[i] is NaN.
func Run(s *Surface, names []string, rates []float64, builders []NewOptimizer, x0, y0 float64, steps int) ([]Path, error) {
	paths := make([]Path, len(builders))
	for i, b := range builders {
		pts, err := Trace(s, b, x0, y0, steps)
		if err != nil {
			return nil, err
		}
		paths[i] = Path{Label: names[i], Points: pts}
		if !isNaN(rates[i]) {
			paths[i].Label += " lr=" + strconv.FormatFloat(rates[i], 'g', -1, 64)
		}
	}
	return paths, nil
}
