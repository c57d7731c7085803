package race

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/internal/kv"
	"github.com/descent-ml/descent/optim"
)

// SplitSettings hands each optimizer of a race (by optim registry name,
// or the presets momentum and nesterov) its share of the settings: with
// one optimizer, all of them; with several, NAME.KEY=V goes to NAME alone
// (as KEY=V) and a plain KEY=V to every optimizer that has KEY (Lookahead
// to be safe, as its inner optimizer may). A setting that no optimizer
// takes is an error.
func SplitSettings(names []string, pairs []kv.Pair) ([][]kv.Pair, error) {
	used := make([]bool, len(pairs))
	out := make([][]kv.Pair, len(names))
	for i, name := range names {
		for j, s := range pairs {
			switch {
			case len(names) == 1:
				out[i], used[j] = append(out[i], s), true
			case strings.HasPrefix(s.Key, name+"."):
				out[i], used[j] = append(out[i], kv.Pair{Key: strings.TrimPrefix(s.Key, name+"."), Value: s.Value}), true
			case !strings.Contains(s.Key, ".") && takesKey(name, s.Key):
				out[i], used[j] = append(out[i], s), true
			}
		}
	}
	for j, s := range pairs {
		if !used[j] {
			return nil, fmt.Errorf("race: no optimizer of %s takes %q", strings.Join(names, ","), s.Key)
		}
	}
	return out, nil
}

// takesKey reports whether the optimizer (or preset) called name has the
// setting key.
func takesKey(name, key string) bool {
	if name == "lookahead" {
		return true // its inner optimizer may take any key
	}
	if name == "momentum" || name == "nesterov" {
		name = "sgd"
	}
	return slices.Contains(optim.Keys(name), key)
}

// WriteCSV writes the paths as CSV: step,x,y,f for one path (row 0 the
// start), opt,step,x,y,f with names[i] for path i when there are several.
func WriteCSV(w io.Writer, names []string, paths []Path) error {
	bw := bufio.NewWriter(w)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	if len(paths) == 1 {
		fmt.Fprintln(bw, "step,x,y,f")
	} else {
		fmt.Fprintln(bw, "opt,step,x,y,f")
	}
	for i, p := range paths {
		for step, pt := range p.Points {
			if len(paths) > 1 {
				fmt.Fprintf(bw, "%s,", names[i])
			}
			fmt.Fprintf(bw, "%d,%s,%s,%s\n", step, f(pt.X), f(pt.Y), f(pt.F))
		}
	}
	return bw.Flush()
}

// Rates gives each of n optimizers of a race its learning rate from lrs:
// none (NaN for each: the optimizer's default), one for all, or one per
// optimizer; each a finite number >= 0.
func Rates(lrs []float64, n int) ([]float64, error) {
	rates := make([]float64, n)
	for i := range rates {
		rates[i] = math.NaN()
	}
	for _, v := range lrs {
		if !(v >= 0 && v <= math.MaxFloat64) { // NaN stands for "the default"
			return nil, fmt.Errorf("race: %v is not a learning rate; want a finite number >= 0", v)
		}
	}
	switch len(lrs) {
	case 0:
	case 1, n:
		for i := range rates {
			rates[i] = lrs[min(i, len(lrs)-1)]
		}
	default:
		return nil, fmt.Errorf("race: %d learning rates for %d optimizers; give one, or one per optimizer", len(lrs), n)
	}
	return rates, nil
}
