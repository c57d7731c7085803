package initializer

import (
	"fmt"
	"strings"

	"github.com/descent-ml/descent/internal/kv"
)

// Named is a scheme together with the spec it was written as, which
// labels it in tables and pictures.
type Named struct {
	Label string
	Init  Initializer
}

// ParseList builds a comma-separated list of schemes, each NAME or
// NAME(k=v,...), e.g. "torch_default,kaiming_normal(nonlinearity=relu)".
// The settings ("k=v,...") apply to every scheme of the list, after its
// own. Errors name the scheme and the bad key.
func ParseList(list, settings string) ([]Named, error) {
	common, err := kv.Split(settings)
	if err != nil {
		return nil, fmt.Errorf("initializer: %v", err)
	}
	var out []Named
	for _, spec := range kv.SplitList(list) {
		spec = strings.TrimSpace(spec)
		name, inner, hasArgs := strings.Cut(spec, "(")
		var own []kv.Pair
		if hasArgs {
			if !strings.HasSuffix(inner, ")") {
				return nil, fmt.Errorf("initializer: malformed init %q: want NAME or NAME(k=v,...)", spec)
			}
			if own, err = kv.Split(strings.TrimSuffix(inner, ")")); err != nil {
				return nil, fmt.Errorf("initializer: init %q: %w", spec, err)
			}
		}
		init, err := Build(strings.TrimSpace(name), append(own, common...))
		if err != nil {
			return nil, err
		}
		out = append(out, Named{Label: spec, Init: init})
	}
	return out, nil
}
