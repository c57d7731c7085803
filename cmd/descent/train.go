package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/descent-ml/descent/doctor"
	"github.com/descent-ml/descent/internal/cliflag"
	"github.com/descent-ml/descent/lab"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/train"
)

// Exit codes of descent train, documented in the README.
const (
	exitDiverged    = 3   // the loss or a parameter became NaN or infinite
	exitInterrupted = 130 // Ctrl-C: checkpoint written, resumable
)

// availableMemory says how much memory a run may use; tests replace it.
var availableMemory = train.AvailableMemory

// stopTrainAfter, when positive, stops a run as Ctrl-C does after that
// many steps; tests set it to leave a run half done.
var stopTrainAfter int

func init() {
	register(&command{
		name:    "train",
		summary: "train a network on MNIST (or --data DIR|FILE.csv, or --text FILE): the main job",
		usage: "[--model mlp|cnn|rnn|lstm|gru] [--hidden 512,256|128] [--layers 1] [--act NAME] [--opt NAME] [--lr LR] [--set k=v,...] [--schedule NAME --schedule-set k=v,...]\n" +
			"       [--lookahead k=5,alpha=0.5] [--init NAME] [--epochs N] [--batch B|full] [--seed S] [--out DIR]\n" +
			"       [--init-from FILE] [--freeze PREFIX,...] [--pretrain autoencoder] [--clip-grad-norm X]\n" +
			"       [--resume DIR] [--data DIR|FILE.csv] [--checkpoint-every N] [--norm batch|layer]\n" +
			"       [--test-data FILE|DIR | --test-split 0.2] [--target COLUMN] [--task classification|regression]\n" +
			"       [--image-size HxW] [--channels 1|3] [--dashboard ADDR]\n" +
			"   or: mpirun -np N descent train --distributed [flags]   (a build with -tags mpi)\n\n" +
			"With no flags: the 784-512-256-10 MLP, SGD (Nesterov momentum 0.9) under a one-cycle schedule\n" +
			"peaking at lr 0.05, batch 128, 3 epochs. --limit N trains on the first N images (and tests on\n" +
			"at most N), for quick experiments. Ctrl-C finishes the current step, writes a checkpoint and\n" +
			"prints the command that resumes. Exit status: 0 done, 1 error, 2 bad input, 3 diverged (NaN or\n" +
			"Inf loss or gradient; the last good checkpoint is kept), 130 interrupted (checkpoint written).\n" +
			"A run that would not fit in the available memory is refused up front (exit 2) with the estimate.\n\n" +
			"--model rnn|lstm|gru reads each image as 28 steps of 28 pixels (PyTorch's SeqNet: rnn.*, fc.*);\n" +
			"its defaults: --hidden 128, --layers 1, --act tanh (the rnn's nonlinearity: tanh or relu), Adam\n" +
			"under a one-cycle schedule peaking at lr 0.005, 3 epochs.\n" +
			"--text FILE [--bptt 64] trains a byte-level language model instead (Embedding(256, 64) -> LSTM ->\n" +
			"Linear(H, 256); --hidden 256, --layers 2, Adam lr 0.002, batch 32, 10 epochs, --clip-grad-norm 5\n" +
			"by default), holding out the file's last 10%; descent sample --weights DIR/model.safetensors.",
		examples: []string{"descent train --epochs 1 --limit 5000 --out runs/first", "descent train --model lstm --epochs 1 --out runs/lstm"},
		run:      func(fs *flag.FlagSet, args []string) error { return runTrain(os.Stdout, fs, args) },
	})
}

// addTrainFlags defines the flags shared by train, compare and lr-find:
// those of train.Config's fields (their flag tags) that are not the
// optimizer's, the schedule's or the run's. Their defaults are c's.
func addTrainFlags(fs *flag.FlagSet, c *train.Config) {
	fs.StringVar(&c.Model, "model", c.Model, "model: "+strings.Join(models.AllNames, ", "))
	fs.StringVar(&c.Act, "act", c.Act, "hidden activation: "+strings.Join(nn.ActivationNames, ", "))
	cliflag.Bind(fs, c, "hidden", "layers", "init", "init-set", "epochs", "batch", "seed", "data", "threads", "limit",
		"test-data", "test-split", "target", "task", "image-size", "channels", "norm")
	// The configuration reads 0 as "not set" for these two (one layer, a
	// fifth held out): an explicit 0 would silently train something else
	// than asked, so it is refused where it is parsed.
	guardFlag(fs, "layers", "the `number` of recurrent layers of rnn, lstm and gru, 1 to 64 (default 1)", func(s string) error {
		if n, err := strconv.Atoi(s); err == nil && (n < 1 || n > 64) {
			return errors.New("want 1 to 64 layers")
		}
		return nil
	})
	guardFlag(fs, "test-split", "the `fraction` of a CSV's rows or a folder's images held out for testing, between 0 and 1 (default 0.2)", func(s string) error {
		if f, err := strconv.ParseFloat(s, 64); err == nil && !(f > 0 && f < 1) {
			return errors.New("want a fraction between 0 and 1, such as 0.2 (to test on other data, give --test-data)")
		}
		return nil
	})
}

// guardFlag makes fs's numeric flag name refuse the values for which
// check returns an error, before its own parsing; usage replaces its help
// text, whose back-quoted word names the value (the wrapper hides "int").
func guardFlag(fs *flag.FlagSet, name, usage string, check func(string) error) {
	f := fs.Lookup(name)
	f.Value, f.Usage = &guardedValue{Value: f.Value, name: name, check: check}, usage
}

type guardedValue struct {
	flag.Value
	name    string
	check   func(string) error
	refused error // "--name value: why", for parseFlags: the flag package keeps only the text
}

func (v *guardedValue) Set(s string) error {
	if err := v.check(s); err != nil {
		v.refused = fmt.Errorf("--%s %s: %v", v.name, s, err)
		return err
	}
	return v.Value.Set(s)
}

func (v *guardedValue) String() string {
	if v.Value == nil { // the zero value flag.PrintDefaults makes: the guarded flags are numbers
		return "0"
	}
	return v.Value.String()
}

// runTrain reads as: parse flags, build the typed config (from the flags,
// or from run.json with --resume), run.
func runTrain(w io.Writer, fs *flag.FlagSet, args []string) error {
	c := train.Defaults()
	f := addRunFlags(fs, &c)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *f.text != "" { // a language model on a file: its own loop (text.go)
		return runTextTrain(w, c, fs, *f.text, *f.bptt, *f.out, *f.quiet)
	}
	c, dir, err := f.config(fs, c)
	if err != nil {
		return err
	}
	noteIgnored(w, &c, givenKeys(fs))
	return trainRun(w, c, dir, f)
}

// runFlags are train's flags that are not part of train.Config.
type runFlags struct {
	out, resume, dashboard *string
	text                   *string // --text FILE: train a language model (text.go)
	bptt                   *int
	quiet, distributed     *bool
	threadsGiven           bool // --threads was on the command line (set by config)
}

// addRunFlags defines train's flags: the shared ones (addTrainFlags), the
// optimizer, schedule and initialization ones, and the run's. A new train
// flag that configures the run goes here, with its train.Config field.
func addRunFlags(fs *flag.FlagSet, c *train.Config) runFlags {
	addTrainFlags(fs, c)
	fs.StringVar(&c.Opt, "opt", c.Opt, "optimizer: "+strings.Join(optimizerNames, ", "))
	fs.StringVar(&c.Schedule, "schedule", c.Schedule, "lr schedule: none, plateau, "+strings.Join(scheduleNames, ", "))
	cliflag.Bind(fs, c, "lr", "set", "schedule-set", "lookahead", "init-from", "freeze", "pretrain", "pretrain-epochs", "clip-grad-norm", "checkpoint-every")
	f := runFlags{
		out:         fs.String("out", "", "output directory (default runs/<timestamp>)"),
		resume:      fs.String("resume", "", "continue the run in DIR; its configuration is read from DIR/run.json, so no other flag is needed (--quiet, --threads, --dashboard and --distributed may be given)"),
		quiet:       fs.Bool("quiet", false, "no progress bar, only one line per epoch"),
		dashboard:   fs.String("dashboard", "", "serve a live dashboard of the run at ADDR (e.g. 127.0.0.1:6006; port 0 picks a free one)"),
		distributed: fs.Bool("distributed", false, "data-parallel training over the ranks of mpirun -np N (a build with -tags mpi; see docs/distributed.md)"),
	}
	f.text, f.bptt = addTextFlags(fs)
	return f
}

// config completes the configuration the parsed flags gave: another --opt
// starts from its own settings, and --resume reads DIR/run.json instead.
// It returns the configuration and the output directory ("" for the
// default).
func (f *runFlags) config(fs *flag.FlagSet, c train.Config) (_ train.Config, _ string, err error) {
	given := givenKeys(fs)
	c.RecurrentDefaults(given)
	lab.OptimizerDefaults(&c, given)
	f.threadsGiven = given["threads"]
	if *f.resume == "" {
		return c, *f.out, nil
	}
	var extra []string
	fs.Visit(func(f *flag.Flag) {
		if !slices.Contains([]string{"resume", "quiet", "threads", "dashboard", "distributed"}, f.Name) {
			extra = append(extra, "--"+f.Name)
		}
	})
	if len(extra) > 0 {
		return c, "", usagef("--resume reads the configuration from DIR/run.json and takes no other flags (got %s)", strings.Join(extra, " "))
	}
	threads := c.Threads
	if c, err = train.ResumeConfig(*f.resume); err != nil {
		return c, "", &usageError{plainFlagErr(err).Error()}
	}
	if threads > 0 {
		c.Threads = threads
	}
	return c, *f.resume, nil
}

// trainRun builds the run c describes, writes run.json into dir (a fresh
// run) or continues the run there (--resume), trains and reports.
func trainRun(w io.Writer, c train.Config, dir string, f runFlags) (err error) {
	interrupt := watchInterrupt("loading the data")
	defer interrupt.Stop()
	if err := c.SetThreads(); err != nil {
		return flagErr(err)
	}
	job, w, err := startJob(*f.distributed, f.threadsGiven, w)
	if err != nil {
		return err
	}
	defer func() { err = job.end(err) }()
	var ln net.Listener // the dashboard's, on rank 0 only: a bad address stops the command at once
	if job.Rank0() && *f.dashboard != "" {
		if ln, err = listen("--dashboard", *f.dashboard); err != nil {
			return err
		}
		defer ln.Close()
	}
	run, err := prepare(c, w, *f.quiet)
	if err != nil {
		if *f.resume != "" && errors.As(err, new(*usageError)) {
			return usagef("%s: %v", filepath.Join(dir, train.RunFile), err)
		}
		return err
	}
	if err := run.Trainer.SetCommunicator(job.Communicator()); err != nil {
		return &usageError{err.Error()}
	}
	fmt.Fprint(w, job.Summary())
	if dir == "" {
		dir = filepath.Join("runs", time.Now().Format("20060102-150405"))
	}
	if job.Rank0() { // the other ranks only read the directory
		unlock, err := train.LockDir(dir)
		if err != nil {
			return flagErr(err)
		}
		defer unlock()
		if err := run.UseDir(dir, train.RunInfo{Command: os.Args, Version: version}, *f.resume != "", w); err != nil {
			return flagErr(err)
		}
		closeStats, err := doctor.Watch(run.Trainer, dir, w) // steps.csv, layers.csv, the doctor's findings
		if err != nil {
			return err
		}
		defer func() { warn(w, closeStats()) }()
		if ln != nil {
			serveDashboard(ln, dir, w)
		}
	}
	run.Trainer.Options.StopAfterSteps = stopTrainAfter
	interrupt.Set("preparing the run (restoring a checkpoint, --init-from, --pretrain)")
	resumed, err := run.RestoreOrInit(dir, w)
	if err != nil {
		return flagErr(err)
	}
	tr := run.Trainer
	if resumed && tr.Position().Finished {
		h := tr.History()
		fmt.Fprintf(w, "run %s is complete: %d epochs, test accuracy %.4f; nothing to resume\n", dir, len(h), h[len(h)-1].TestAccuracy)
		return nil
	}
	if resumed {
		fmt.Fprintf(w, "resuming %s at epoch %d, step %d\n", dir, tr.Position().Epoch, tr.Position().Step)
	} else {
		examples := "images"
		if run.Source != nil && run.Source.Layout == "csv" {
			examples = "rows"
		}
		fmt.Fprintf(w, "training %s on %d %s (%s), %d epochs, writing to %s\n", run.Description, run.Train.Len(), examples, train.DescribeData(c), c.Epochs, dir)
	}
	// Ctrl-C finishes the step under way and checkpoints; once it has been
	// seen, the default handling comes back, so a second Ctrl-C kills.
	interrupt.Stop()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	context.AfterFunc(ctx, stop)
	err = tr.Run(ctx)
	var de *train.DivergenceError
	switch {
	case errors.Is(err, train.ErrInterrupted):
		fmt.Fprintf(w, "interrupted at epoch %d, step %d: checkpoint written to %s\nresume with: %s\n",
			tr.Position().Epoch, tr.Position().Step, dir, job.ResumeCommand(shellQuote(dir)))
		return &exitError{code: exitInterrupted}
	case errors.As(err, &de):
		return &exitError{code: exitDiverged, msg: de.Summary() + "; try a lower --lr or --clip-grad-norm 1; " + de.CheckpointNote()}
	case err != nil:
		return err
	}
	h := tr.History()
	if len(h) == 0 {
		return fmt.Errorf("no epoch was trained")
	}
	fmt.Fprintf(w, "wrote %s (%s)\n", dir, strings.Join(doctor.RunFiles(dir), ", "))
	train.WriteFinalMetric(w, run.Test, h[len(h)-1])
	return nil
}

// warn prints a non-nil err as a warning: the run itself went well.
func warn(w io.Writer, err error) {
	if err != nil {
		fmt.Fprintf(w, "warning: %v\n", err)
	}
}

// flagErr makes a library's ConfigError a usage error (exit 2) naming
// the flags (--init-set for the key init_set); other errors pass.
func flagErr(err error) error {
	var ce *train.ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	return &usageError{ce.Text(func(key string) string { return "--" + strings.ReplaceAll(key, "_", "-") })}
}

// givenKeys are the flags given on the command line, under their names
// and as train.Config keys (clip_grad_norm for --clip-grad-norm).
func givenKeys(fs *flag.FlagSet) map[string]bool {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name], given[strings.ReplaceAll(f.Name, "-", "_")] = true, true })
	return given
}

// prepare is train.Prepare with the CLI's options, its ConfigError a
// usage error.
func prepare(c train.Config, w io.Writer, quiet bool) (*train.Run, error) {
	r, err := train.Prepare(c, train.PrepareOptions{Out: w, Quiet: quiet, AvailableMemory: availableMemory})
	return r, flagErr(err)
}

// plainFlagErr is flagErr's message as a plain error.
func plainFlagErr(err error) error {
	if ue, ok := flagErr(err).(*usageError); ok {
		return errors.New(ue.msg)
	}
	return err
}

// shellQuote quotes a path for the resume command a user copies, when it
// holds characters a shell would split or expand.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == ':' || r == '+' || r == ',' ||
			'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// noteIgnored prints a note for each given flag that c's model ignores
// (train.Config.Ignored).
func noteIgnored(w io.Writer, c *train.Config, given map[string]bool) {
	for _, n := range c.Ignored(given) {
		fmt.Fprintln(w, n)
	}
}
