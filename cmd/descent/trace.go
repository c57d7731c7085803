package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/descent-ml/descent/internal/cliflag"
	"github.com/descent-ml/descent/internal/kv"
	"github.com/descent-ml/descent/lab/race"
	"github.com/descent-ml/descent/optim"
)

func init() {
	register(&command{
		name:    "trace",
		summary: "run optimizers on a 2-D test function and print (or draw) their paths",
		usage: "--func NAME --opt NAME[,NAME...] [--lr LR[,LR...]] [--from X,Y] [--steps N] [--set k=v,...] [--plot FILE.png|FILE.gif] [--csv FILE] [--out DIR]\n\n" +
			"Prints CSV step,x,y,f (N+1 rows, row 0 the start); with several optimizers, opt,step,x,y,f.\n" +
			"Functions: " + traceFuncHelp() + "\n" +
			"Optimizers (--set keys, PyTorch's names, betas split into beta1 and beta2):\n" + keysHelp(optimizerNames, optim.Keys, 10) +
			"\n  momentum, nesterov: sgd with momentum 0.9 (nesterov=true)\n" +
			"With several optimizers, a key applies to each that has it; NAME.KEY=V to one only.",
		examples: []string{"descent trace --func rosenbrock --opt sgd,adam --lr 0.001,0.1 --plot race.png"},
		run:      func(fs *flag.FlagSet, args []string) error { return runTrace(os.Stdout, os.Stderr, fs, args) },
	})
}

func traceFuncHelp() string {
	var parts []string
	for _, s := range race.Surfaces {
		parts = append(parts, s.Name+" "+s.Formula)
	}
	return strings.Join(parts, "; ")
}

func runTrace(w, errw io.Writer, fs *flag.FlagSet, args []string) error {
	fn := fs.String("func", "", "test function: "+strings.Join(race.Names(), ", "))
	opts := fs.String("opt", "", "optimizer, or a comma list of optimizers to race: "+strings.Join(optimizerNames, ", ")+", momentum, nesterov")
	lrs := fs.String("lr", "", "learning rate, or one per optimizer (default: PyTorch's default of each)")
	from := fs.String("from", "", "start X,Y (default: the function's customary start)")
	steps := fs.Int("steps", 100, "number of optimizer steps")
	set := fs.String("set", "", "optimizer settings k=v,... (PyTorch's names; NAME.KEY=V for one optimizer of a race)")
	out := cliflag.BindOutput(fs, "trace", "draw the race: .png (contour plot) or .gif (animation)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	surf, err := race.Lookup(*fn)
	if err != nil {
		return usagef("--func: %v", err)
	}
	if *opts == "" {
		return usagef("--opt is required; valid optimizers: %s, momentum, nesterov", strings.Join(optimizerNames, ", "))
	}
	if *steps < 0 || *steps > race.MaxSteps {
		return usagef("--steps must be between 0 and %d, got %d", race.MaxSteps, *steps)
	}
	if err := usageErr(out.Check(func(p string) error {
		if err := race.CheckImagePath(p); err != nil {
			return usagef("--plot: %v", err)
		}
		return checkOutDir("--plot", p)
	})); err != nil {
		return err
	}
	x0, y0 := surf.Start[0], surf.Start[1]
	if *from != "" {
		xy, err := kv.Floats(*from)
		if err != nil || len(xy) != 2 {
			return usagef("--from: want X,Y, got %q", *from)
		}
		x0, y0 = xy[0], xy[1]
	}
	names := strings.Split(*opts, ",")
	for i, n := range names {
		if names[i] = strings.TrimSpace(n); names[i] == "" {
			return usagef("--opt %q: an empty optimizer name; give names separated by commas, e.g. sgd,adam", *opts)
		}
	}
	var lrList []float64
	if *lrs != "" {
		if lrList, err = kv.Floats(*lrs); err != nil {
			return usagef("--lr: %v", err)
		}
	}
	rates, err := race.Rates(lrList, len(names))
	if err != nil {
		return usagef("--lr: %s", strings.TrimPrefix(err.Error(), "race: "))
	}
	builders, err := race.Optimizers(names, rates, *set)
	var se *race.SettingsError
	var le *race.LRSettingError
	switch {
	case errors.As(err, &se):
		return usagef("--set: %v", se.Err)
	case errors.As(err, &le):
		return usagef("%s: give the learning rate with --lr, not lr=", le.Opt)
	case err != nil:
		return usagef("%v", err)
	}
	paths, err := race.Run(surf, names, rates, builders, x0, y0, *steps)
	if err != nil {
		return usagef("%v", err)
	}
	for i, p := range paths {
		if k := race.Diverged(p.Points); k >= 0 {
			fmt.Fprintf(errw, "descent trace: %s diverged at step %d\n", names[i], k)
		}
	}
	return out.Write(w, notes, func(w io.Writer) error { return race.WriteCSV(w, names, paths) },
		func(path string) error { return race.Save(path, surf, paths) })
}
