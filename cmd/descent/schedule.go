package main

import (
	"flag"
	"io"
	"os"
	"strings"

	"github.com/descent-ml/descent/internal/cliflag"
	"github.com/descent-ml/descent/lab"
	"github.com/descent-ml/descent/optim/schedule"
)

func init() {
	register(&command{
		name:    "schedule",
		summary: "print a learning-rate schedule as torch.optim.lr_scheduler computes it",
		usage: "--name NAME --lr LR --steps N [--set k=v,...] [--plot FILE.png] [--csv FILE] [--out DIR]\n\n" +
			"Prints CSV step,lr: row i is the learning rate optimizer step i uses (row 0: at construction).\n" +
			"Schedules (--set keys, PyTorch's names; every schedule also takes warmup=STEPS and warmup_start_factor):\n" + keysHelp(scheduleNames, schedule.Keys, 12),
		examples: []string{"descent schedule --name onecycle --lr 0.1 --steps 100 --plot onecycle.png", "descent schedule --name step --lr 0.1 --steps 50 --set step_size=10,gamma=0.5,warmup=5"},
		run:      func(fs *flag.FlagSet, args []string) error { return runSchedule(os.Stdout, fs, args) },
	})
}

// maxScheduleSteps bounds --steps: one CSV row (and one plotted point) a
// step.
const maxScheduleSteps = 10_000_000

func runSchedule(w io.Writer, fs *flag.FlagSet, args []string) error {
	name := fs.String("name", "", "schedule: "+strings.Join(scheduleNames, ", "))
	lr := fs.Float64("lr", 0.1, "the optimizer's learning rate")
	steps := fs.Int("steps", 100, "number of optimizer steps (rows)")
	set := fs.String("set", "", "schedule settings k=v,... (PyTorch's argument names; lists as milestones=[30,80])")
	out := cliflag.BindOutput(fs, "schedule", "draw lr against step (.png, .svg, .pdf)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usagef("--name is required; valid schedules: %s", strings.Join(scheduleNames, ", "))
	}
	if *steps <= 0 {
		return usagef("--steps must be positive, got %d", *steps)
	}
	if *steps > maxScheduleSteps {
		return usagef("--steps %d: at most %d", *steps, maxScheduleSteps)
	}
	if err := usageErr(out.Check(checkPlotPath)); err != nil {
		return err
	}
	sc, err := schedule.New(*name, *lr, *steps, *set)
	if err == nil {
		err = schedule.CheckLength(sc, *steps)
	}
	if err != nil {
		return usagef("%s", strings.TrimPrefix(err.Error(), "schedule: "))
	}
	return out.Write(w, notes, func(w io.Writer) error { return lab.WriteScheduleCSV(w, sc, *steps) },
		func(path string) error { return lab.PlotSchedule(path, *name, sc, *steps) })
}
