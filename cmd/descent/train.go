package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/internal/kv"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/schedule"
	"github.com/descent-ml/descent/tensor"
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

// trainConfig is the full configuration of a training run, as flags give
// it. run.json records it so that --resume needs no other flag.
type trainConfig struct {
	Model           string  `json:"model"`
	Hidden          string  `json:"hidden"`
	Layers          int     `json:"layers,omitempty"`
	Act             string  `json:"act"`
	Opt             string  `json:"opt"`
	LR              string  `json:"lr"` // "" keeps the optimizer's default
	Set             string  `json:"set"`
	Schedule        string  `json:"schedule"`
	ScheduleSet     string  `json:"schedule_set"`
	Lookahead       string  `json:"lookahead"`
	Init            string  `json:"init"`
	InitSet         string  `json:"init_set"`
	Epochs          int     `json:"epochs"`
	Batch           string  `json:"batch"`
	Seed            uint64  `json:"seed"`
	InitFrom        string  `json:"init_from"`
	Freeze          string  `json:"freeze"`
	Pretrain        string  `json:"pretrain"`
	PretrainEpochs  int     `json:"pretrain_epochs"`
	ClipGradNorm    float64 `json:"clip_grad_norm"`
	Data            string  `json:"data"`
	CheckpointEvery int     `json:"checkpoint_every"`
	Threads         int     `json:"threads"`
	// Limit, when positive, trains on the first Limit training images and
	// evaluates on at most the first Limit test images.
	Limit int `json:"limit"`
	// A CSV file or an image folder given to Data (datasource.go).
	TestData  string  `json:"test_data,omitempty"`
	TestSplit float64 `json:"test_split,omitempty"`
	Target    string  `json:"target,omitempty"`
	Task      string  `json:"task,omitempty"`
	ImageSize string  `json:"image_size,omitempty"`
	Channels  int     `json:"channels,omitempty"`
	Norm      string  `json:"norm,omitempty"` // models.Options.Norm
}

// defaultTrainConfig is what `descent train` does with no flags: the MLP,
// SGD with Nesterov momentum under a one-cycle schedule, three epochs:
// past 98% test accuracy in a few seconds.
func defaultTrainConfig() trainConfig {
	return trainConfig{Model: "mlp", Hidden: "512,256", Act: "relu", Opt: "sgd", LR: "0.05",
		Set: "momentum=0.9,nesterov=true", Schedule: "onecycle", Epochs: 3, Batch: "128", Seed: 1,
		PretrainEpochs: 1}
}

// runInfo is run.json.
type runInfo struct {
	Config trainConfig `json:"config"`
	// Resolved records the typed configurations the run was built from,
	// every default filled in (absent in run.json files written before
	// it; --resume reads Config).
	Resolved  *resolvedConfigs `json:"resolved,omitempty"`
	Command   []string         `json:"command"`
	Version   string           `json:"descent_version"`
	GoVersion string           `json:"go_version"`
	Platform  string           `json:"platform"`
	GEMM      string           `json:"gemm_kernel"`
	Started   string           `json:"started"`
}

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

// addTrainFlags defines the flags shared by train, compare and lr-find.
func addTrainFlags(fs *flag.FlagSet, c *trainConfig) {
	d := defaultTrainConfig()
	fs.StringVar(&c.Model, "model", d.Model, "model: "+strings.Join(models.AllNames, ", "))
	fs.StringVar(&c.Hidden, "hidden", d.Hidden, "hidden layer widths of the mlp; the hidden size of rnn, lstm and gru (default 128)")
	fs.IntVar(&c.Layers, "layers", 0, "recurrent layers of rnn, lstm and gru (default 1)")
	fs.StringVar(&c.Act, "act", d.Act, "hidden activation: "+strings.Join(nn.ActivationNames, ", "))
	fs.StringVar(&c.Init, "init", "", "weight initializer for every layer (default: PyTorch's); see descent init --help")
	fs.StringVar(&c.InitSet, "init-set", "", "initializer settings k=v,... (torch.nn.init's argument names)")
	fs.IntVar(&c.Epochs, "epochs", d.Epochs, "passes over the training set")
	fs.StringVar(&c.Batch, "batch", d.Batch, "batch size, or full for full-batch gradient descent (1 is pure SGD)")
	fs.Uint64Var(&c.Seed, "seed", d.Seed, "random seed: initial weights, data order, dropout")
	fs.StringVar(&c.Data, "data", "", "a CSV file, a folder of class folders of images (torchvision's ImageFolder), or a directory of IDX files in MNIST's layout (default: the embedded MNIST); the mlp's input and output widths follow the data")
	fs.IntVar(&c.Threads, "threads", 0, "threads for the kernels (default: all cores)")
	fs.IntVar(&c.Limit, "limit", 0, "use only the first N training images and at most N test images (0: all); for tests and quick experiments")
	addDataFlags(fs, c)
}

// runTrain reads as: parse flags, build the typed config (from the flags,
// or from run.json with --resume), run.
func runTrain(w io.Writer, fs *flag.FlagSet, args []string) error {
	c := defaultTrainConfig()
	f := addRunFlags(fs, &c)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *f.text != "" { // a language model on a file: its own loop (text.go)
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		return runTextTrain(w, c, given, *f.text, *f.bptt, *f.out, *f.quiet)
	}
	c, dir, err := f.config(fs, c)
	if err != nil {
		return err
	}
	return trainRun(w, c, dir, f)
}

// runFlags are train's flags that are not part of trainConfig.
type runFlags struct {
	out, resume, dashboard *string
	text                   *string // --text FILE: train a language model (text.go)
	bptt                   *int
	quiet, distributed     *bool
	threadsGiven           bool // --threads was on the command line (set by config)
}

// addRunFlags defines train's flags: the shared ones (addTrainFlags), the
// optimizer, schedule and initialization ones, and the run's. A new train
// flag that configures the run goes here, with its trainConfig field.
func addRunFlags(fs *flag.FlagSet, c *trainConfig) runFlags {
	addTrainFlags(fs, c)
	fs.StringVar(&c.Opt, "opt", c.Opt, "optimizer: "+strings.Join(optimizerNames, ", "))
	fs.StringVar(&c.LR, "lr", c.LR, "learning rate (the peak of one-cycle and cyclic schedules; default for another --opt: a good value for it)")
	fs.StringVar(&c.Set, "set", c.Set, "optimizer settings k=v,... (PyTorch's argument names; betas as beta1, beta2; default for another --opt: none)")
	fs.StringVar(&c.Schedule, "schedule", c.Schedule, "lr schedule: none, plateau, "+strings.Join(scheduleNames, ", "))
	fs.StringVar(&c.ScheduleSet, "schedule-set", "", "schedule settings k=v,... (PyTorch's argument names)")
	fs.StringVar(&c.Lookahead, "lookahead", "", "wrap the optimizer in Lookahead with k=K,alpha=A (e.g. k=5,alpha=0.5)")
	fs.StringVar(&c.InitFrom, "init-from", "", "start from weights in a safetensors file (names present load; the rest keep their init)")
	fs.StringVar(&c.Freeze, "freeze", "", "keep parameters with these name prefixes fixed, e.g. 0.,2.")
	fs.StringVar(&c.Pretrain, "pretrain", "", "unsupervised pretraining of the hidden layers: autoencoder")
	fs.IntVar(&c.PretrainEpochs, "pretrain-epochs", c.PretrainEpochs, "epochs of pretraining per layer")
	fs.Float64Var(&c.ClipGradNorm, "clip-grad-norm", 0, "clip the gradients' global L2 norm to this (0: off)")
	fs.IntVar(&c.CheckpointEvery, "checkpoint-every", 0, "also checkpoint every N steps (0: only at the end of each epoch)")
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
func (f *runFlags) config(fs *flag.FlagSet, c trainConfig) (trainConfig, string, error) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	recurrentDefaults(&c, given)
	if given["opt"] && c.Opt != defaultTrainConfig().Opt {
		// The default --set and --lr belong to the default SGD: another
		// optimizer starts from its own settings and a good lr for it.
		if !given["set"] {
			c.Set = ""
		}
		if !given["lr"] {
			c.LR = defaultLR(c.Opt)
		}
	}
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
	info, err := readRunInfo(*f.resume)
	if err != nil {
		return c, "", &usageError{err.Error()}
	}
	threads := c.Threads
	c = info.Config
	if threads > 0 {
		c.Threads = threads
	}
	dir := *f.resume
	if _, err := os.Stat(filepath.Join(dir, train.CheckpointFile)); err == nil {
		// The checkpoint holds every weight: the --init-from file
		// the run started from is not needed (it may be gone).
		c.InitFrom = ""
	}
	return c, dir, nil
}

// trainRun builds the run c describes, writes run.json into dir (a fresh
// run) or continues the run there (--resume), trains and reports.
func trainRun(w io.Writer, c trainConfig, dir string, f runFlags) (err error) {
	resume, quiet := f.resume, f.quiet
	interrupt := watchInterrupt("loading the data")
	defer interrupt.stop()
	if c.Threads < 0 {
		return usagef("--threads %d: want a positive number, or 0 for all cores", c.Threads)
	}
	if c.Threads > 0 {
		kernel.SetThreads(c.Threads)
	}
	job, w, err := startJob(*f.distributed, f.threadsGiven, w)
	if err != nil {
		return err
	}
	defer func() { err = job.end(err) }()
	var ln net.Listener // the dashboard's, on rank 0 only
	if job.rank0() {
		if ln, err = listenDashboard(*f.dashboard); err != nil {
			return err
		}
		defer closeDashboard(ln)
	}
	run, err := prepareRun(c, w, *quiet)
	if err != nil {
		var ue *usageError
		if *resume != "" && errors.As(err, &ue) {
			return usagef("%s: %v", filepath.Join(dir, "run.json"), ue)
		}
		return err
	}
	if err := run.trainer.SetCommunicator(job.communicator()); err != nil {
		return &usageError{err.Error()}
	}
	job.announce(w)
	if dir == "" {
		dir = filepath.Join("runs", time.Now().Format("20060102-150405"))
	}
	if job.rank0() { // the other ranks only read the directory
		unlock, err := lockRunDir(dir)
		if err != nil {
			return err
		}
		defer unlock()
		if err := prepareDir(w, dir, c, run.resolved(), *resume != ""); err != nil {
			return err
		}
		if err := saveSourcePrep(run.source, dir); err != nil {
			return err
		}
		run.trainer.Options.Dir = dir
		run.trainer.Options.Plot = true
		closeStats, err := watchRun(run.trainer, dir, w)
		if err != nil {
			return err
		}
		defer closeStats()
		serveDashboard(ln, dir, w)
	}
	run.trainer.Options.StopAfterSteps = stopTrainAfter
	interrupt.set("preparing the run (restoring a checkpoint, --init-from, --pretrain)")
	resumed, err := run.restoreOrInit(dir, w)
	if err != nil {
		return err
	}
	if resumed && run.trainer.Position().Finished {
		h := run.trainer.History()
		fmt.Fprintf(w, "run %s is complete: %d epochs, test accuracy %.4f; nothing to resume\n", dir, len(h), h[len(h)-1].TestAccuracy)
		return nil
	}
	if resumed {
		p := run.trainer.Position()
		fmt.Fprintf(w, "resuming %s at epoch %d, step %d\n", dir, p.Epoch, p.Step)
	} else {
		fmt.Fprintf(w, "training %s on %d images (%s), %d epochs, writing to %s\n", run.desc, run.trainSet.Len(), dataName(c), c.Epochs, dir)
	}
	// Ctrl-C finishes the step under way and checkpoints; once it has been
	// seen, the default handling comes back, so a second Ctrl-C kills.
	interrupt.stop()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	context.AfterFunc(ctx, stop)
	err = run.trainer.Run(ctx)
	var de *train.DivergenceError
	switch {
	case errors.Is(err, train.ErrInterrupted):
		fmt.Fprintf(w, "interrupted at epoch %d, step %d: checkpoint written to %s\nresume with: %s\n",
			run.trainer.Position().Epoch, run.trainer.Position().Step, dir, job.resumeCommand(dir))
		return &exitError{code: exitInterrupted}
	case errors.As(err, &de):
		return &exitError{code: exitDiverged, msg: de.Summary() + "; try a lower --lr or --clip-grad-norm 1; " + de.CheckpointNote()}
	case err != nil:
		return err
	}
	h := run.trainer.History()
	if len(h) == 0 {
		return fmt.Errorf("no epoch was trained")
	}
	fmt.Fprintf(w, "wrote %s (model.safetensors, %s, metrics.csv, curves.png, run.json)\n", dir, train.CheckpointFile)
	finalMetric(w, run.testSet, h[len(h)-1])
	return nil
}

// preparedRun is a run with everything built but not started.
type preparedRun struct {
	cfg       trainConfig
	model     nn.Module[float32]
	trainer   *train.Trainer
	trainSet  data.Dataset
	testSet   data.Dataset
	source    *data.Source // a CSV file or image folder, whose preprocessing the run saves
	pretrain  bool
	initFrom  string
	initSD    []nn.NamedTensor[float32] // the --init-from tensors, checked against the model
	freeze    []*autograd.Var[float32]  // the parameters --freeze names
	desc      string                    // the model and optimizer, for the first line and the curves
	logWriter io.Writer
}

// prepareRun validates the configuration and builds model, optimizer,
// schedule and trainer. Every mistake in the configuration is a usage error.
func prepareRun(c trainConfig, w io.Writer, quiet bool) (*preparedRun, error) {
	if c.Epochs <= 0 {
		return nil, usagef("--epochs %d: want a positive number", c.Epochs)
	}
	batch, err := parseBatch(c.Batch)
	if err != nil {
		return nil, err
	}
	if c.ClipGradNorm < 0 || math.IsNaN(c.ClipGradNorm) || math.IsInf(c.ClipGradNorm, 0) {
		return nil, usagef("--clip-grad-norm %v: want a finite positive number, or 0 for off", c.ClipGradNorm)
	}
	if c.CheckpointEvery < 0 {
		return nil, usagef("--checkpoint-every %d: want a positive number of steps, or 0 for once an epoch", c.CheckpointEvery)
	}
	if c.Pretrain != "" && c.PretrainEpochs < 1 {
		return nil, usagef("--pretrain-epochs %d: want a positive number", c.PretrainEpochs)
	}
	if c.Pretrain != "" && c.Pretrain != "autoencoder" {
		return nil, usagef("unknown --pretrain %q; valid: autoencoder", c.Pretrain)
	}
	if c.Pretrain != "" && c.Model != "mlp" {
		return nil, usagef("--pretrain autoencoder pretrains the hidden layers of the mlp model; it does not apply to %q", c.Model)
	}
	trainSet, testSet, source, err := loadRunData(c)
	if err != nil {
		return nil, err
	}
	model, err := buildModelFor(c, trainSet.Shape(), trainSet.Classes())
	if err != nil {
		return nil, err
	}
	if err := checkMemory(c, model, trainSet, testSet, batch); err != nil {
		return nil, err
	}
	opt, err := buildTrainOptimizer(c, model.Parameters())
	if err != nil {
		return nil, err
	}
	var freeze []*autograd.Var[float32]
	if c.Freeze != "" {
		if freeze, err = train.SelectFrozen(model, strings.Split(c.Freeze, ",")); err != nil {
			return nil, usagef("--freeze %q: %s", c.Freeze, strings.TrimPrefix(err.Error(), "train: freeze: "))
		}
	}
	var initWeights []nn.NamedTensor[float32]
	if c.InitFrom != "" {
		if initWeights, err = readInitFrom(c.InitFrom, model); err != nil {
			return nil, err
		}
	}
	desc := describeModel(c, trainSet.Shape(), trainSet.Classes())
	tr, err := train.NewTrainer(model, opt, trainSet, testSet, c.Model == "mlp", c.Seed,
		train.Options{Epochs: c.Epochs, BatchSize: batch, ClipGradNorm: c.ClipGradNorm,
			CheckpointEvery: c.CheckpointEvery, Out: w, Quiet: quiet, Title: desc})
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	if err := attachSchedule(tr, c); err != nil {
		return nil, err
	}
	return &preparedRun{cfg: c, model: model, trainer: tr, trainSet: trainSet, testSet: testSet, source: source,
		pretrain: c.Pretrain != "", initFrom: c.InitFrom, initSD: initWeights, freeze: freeze, desc: desc, logWriter: w}, nil
}

// checkMemory estimates what the run will hold in memory (train.
// EstimateMemory) and refuses, before the optimizer and the step buffers
// are allocated, a run that cannot fit in the memory available.
func checkMemory(c trainConfig, model nn.Module[float32], trainSet, testSet data.Dataset, batch int) error {
	avail, ok := availableMemory()
	if !ok {
		return nil
	}
	if batch == 0 || batch > trainSet.Len() {
		batch = trainSet.Len()
	}
	est := train.EstimateMemory(model, trainSet.Shape(), c.Model == "mlp", batch, min(1000, testSet.Len()), optimizerBuffers(c))
	if err := est.Check(avail); err != nil {
		return usagef("--batch %s: %s", c.Batch, strings.TrimPrefix(err.Error(), "train: "))
	}
	return nil
}

// optimizerBuffers is the number of tensors the size of each parameter that
// the configured optimizer keeps (PyTorch's state per parameter), plus
// Lookahead's slow weights.
func optimizerBuffers(c trainConfig) int {
	n := map[string]int{"sgd": 1, "adagrad": 1, "rmsprop": 3, "adadelta": 2, "adam": 2, "adamw": 2,
		"adamax": 2, "nadam": 2, "radam": 2, "lookahead": 2}[c.Opt]
	if strings.Contains(c.Set, "amsgrad=true") {
		n++
	}
	if c.Lookahead != "" {
		n++
	}
	return n
}

// restoreOrInit continues from the checkpoint in dir if there is one;
// otherwise it applies --init-from, --pretrain and --freeze to the fresh
// model. A run killed before its first checkpoint thus starts again from
// its recorded configuration, which gives the same bits. An empty dir
// means a fresh start.
func (r *preparedRun) restoreOrInit(dir string, w io.Writer) (bool, error) {
	path := filepath.Join(dir, train.CheckpointFile)
	if _, err := os.Stat(path); dir != "" && err == nil {
		// A damaged or foreign checkpoint is bad input: one line, exit 2.
		ck, err := train.LoadCheckpoint(path)
		if err != nil {
			return false, &usageError{err.Error()}
		}
		if err := r.trainer.Restore(ck); err != nil {
			if errors.Is(err, train.ErrRunChanged) {
				return false, usagef("%s was edited after the checkpoint was written: %v", filepath.Join(dir, "run.json"), err)
			}
			return false, &usageError{err.Error()}
		}
		train.Freeze(r.freeze)
		return true, nil
	}
	if r.initFrom != "" {
		rep, err := nn.LoadPartial[float32](r.model, r.initSD)
		if err != nil {
			return false, &usageError{fmt.Sprintf("--init-from %s: %v", r.initFrom, err)}
		}
		fmt.Fprintf(w, "init-from %s: loaded %s; kept their initialization: %s\n", r.initFrom, listOrNone(rep.Loaded), listOrNone(rep.Missing))
		if len(rep.Unexpected) > 0 {
			fmt.Fprintf(w, "init-from %s: ignored tensors the model does not have: %s\n", r.initFrom, strings.Join(rep.Unexpected, ", "))
		}
	}
	if r.pretrain {
		seq, ok := r.model.(*nn.Sequential[float32])
		if !ok {
			return false, usagef("--pretrain autoencoder pretrains the hidden layers of the mlp model; it does not apply to %q", r.cfg.Model)
		}
		err := train.PretrainAutoencoder(seq, r.trainSet, train.PretrainOptions{
			Epochs: r.cfg.PretrainEpochs, Seed: r.cfg.Seed, Out: w})
		if err != nil {
			return false, err
		}
	}
	if r.initFrom != "" || r.pretrain {
		// An optimizer may copy the parameters when it is made (Lookahead's
		// slow weights): the one that trains is made from the weights
		// training starts from, not from those prepareRun saw.
		opt, err := buildTrainOptimizer(r.cfg, r.model.Parameters())
		if err != nil {
			return false, err
		}
		r.trainer.Optimizer = opt
	}
	train.Freeze(r.freeze)
	return false, nil
}

// readInitFrom reads the --init-from file and checks it against the model
// before anything is trained or written: a tensor the model has must have
// its shape.
func readInitFrom(path string, model nn.Module[float32]) ([]nn.NamedTensor[float32], error) {
	sd, err := train.LoadWeights(path)
	if err != nil {
		return nil, usagef("--init-from: %v", err)
	}
	if err := train.CheckFinite(sd); err != nil {
		return nil, usagef("--init-from %s: %v", path, err)
	}
	if _, err := nn.CheckPartial[float32](model, sd); err != nil {
		return nil, usagef("--init-from %s: %s", path, strings.TrimPrefix(err.Error(), "nn: load state dict: "))
	}
	return sd, nil
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// buildModel builds the configured model with its initializer, for MNIST.
func buildModel(c trainConfig) (nn.Module[float32], error) {
	return buildModelFor(c, []int{1, 28, 28}, 10)
}

// buildModelFor builds the configured model for examples of shape example
// in classes classes: the MLP's input and output widths follow them; a
// model of fixed sizes (the CNN) that does not fit them is a usage error
// saying so.
func buildModelFor(c trainConfig, example []int, classes int) (nn.Module[float32], error) {
	if slices.Contains(models.RecurrentNames, c.Model) {
		return buildRecurrent(c, example, classes)
	}
	if !slices.Contains(models.Names, c.Model) {
		return nil, usagef("unknown --model %q; valid models: %s", c.Model, strings.Join(models.AllNames, ", "))
	}
	if c.Layers != 0 {
		return nil, usagef("--layers is for the recurrent models (%s), not %s", strings.Join(models.RecurrentNames, ", "), c.Model)
	}
	if !slices.Contains(nn.ActivationNames, c.Act) {
		return nil, usagef("unknown --act %q; valid activations: %s", c.Act, strings.Join(nn.ActivationNames, ", "))
	}
	opts := models.Options{Activation: c.Act, Norm: c.Norm}
	if c.Norm != "" && !slices.Contains(models.Norms, c.Norm) {
		return nil, usagef("unknown --norm %q; valid: %s", c.Norm, strings.Join(models.Norms, ", "))
	}
	classes = max(classes, 1) // a regression has one output
	if c.Init != "" {
		init, err := initFromFlags(c.Init, c.InitSet)
		if err != nil {
			return nil, &usageError{"--init: " + err.Error()}
		}
		opts.WeightInit = init
	} else if c.InitSet != "" {
		return nil, usagef("--init-set needs --init")
	}
	rng := tensor.NewRand(c.Seed)
	if c.Model == "mlp" {
		hidden, err := parseInts(c.Hidden)
		if err != nil || slices.ContainsFunc(hidden, func(h int) bool { return h <= 0 }) {
			return nil, usagef("--hidden %q: want positive widths like 512,256", c.Hidden)
		}
		in := 1
		for _, d := range example {
			in *= d
		}
		if err := models.CheckMLPSize(in, hidden, classes); err != nil {
			return nil, usagef("--hidden %q: %s", c.Hidden, strings.TrimPrefix(err.Error(), "models: mlp: "))
		}
		m, err := models.MLP[float32](rng, in, hidden, classes, opts)
		if err != nil {
			return nil, &usageError{err.Error()}
		}
		return m, nil
	}
	if want, err := models.InputShape(c.Model); err == nil && !slices.Equal(want, example) {
		return nil, usagef("--model %s takes %s images but the data set's are %s; --model mlp sizes itself to the data",
			c.Model, shapeName(want), shapeName(example))
	}
	m, err := models.New[float32](c.Model, rng, opts)
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	if out := outputWidth(m, example); out < classes {
		return nil, usagef("--model %s has %d classes but the data set has %d (labels 0 to %d); --model mlp sizes itself to the data",
			c.Model, out, classes, classes-1)
	}
	return m, nil
}

// shapeName spells an image shape [1 rows cols] as rowsxcols, any other
// shape with all its dimensions.
func shapeName(shape []int) string {
	if len(shape) == 3 && shape[0] == 1 {
		shape = shape[1:]
	}
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, "x")
}

// outputWidth returns the number of outputs of model for one example of
// the given shape, running it once without recording.
func outputWidth(model nn.Module[float32], example []int) int {
	g := autograd.New[float32]()
	x := autograd.NewConstant(tensor.New[float32](append([]int{1}, example...)...))
	nn.SetTraining(model, false)
	defer nn.SetTraining(model, true)
	out := 0
	g.NoGrad(func() { out = model.Forward(g, x).Value.Len() })
	return out
}

// buildTrainOptimizer builds the optimizer, wrapped in Lookahead if asked.
func buildTrainOptimizer(c trainConfig, params []*autograd.Var[float32]) (optim.Optimizer[float32], error) {
	lr := math.NaN()
	if c.LR != "" {
		v, err := strconv.ParseFloat(c.LR, 64)
		if err != nil || !(v >= 0) || math.IsInf(v, 0) {
			return nil, usagef("--lr %q: want a non-negative number", c.LR)
		}
		lr = v
	}
	opt, err := optimizerFromFlags(c.Opt, lr, c.Set, params)
	if err != nil {
		return nil, &usageError{"--opt " + c.Opt + ": " + err.Error()}
	}
	if c.Lookahead == "" {
		return opt, nil
	}
	cfg := optim.LookaheadDefaults()
	if err := kv.Decode(c.Lookahead, &cfg); err != nil {
		return nil, usagef("--lookahead: %v", err)
	}
	la, err := optim.NewLookahead(opt, cfg)
	if err != nil {
		return nil, &usageError{"--lookahead: " + err.Error()}
	}
	return la, nil
}

// attachSchedule sets the trainer's schedule from the configuration; the
// run's length is the default of T_max and total_steps.
func attachSchedule(tr *train.Trainer, c trainConfig) error {
	name := c.Schedule
	lr := tr.Optimizer.Groups()[0].LR
	switch name {
	case "", "none":
		if c.ScheduleSet != "" {
			return usagef("--schedule-set needs --schedule")
		}
		return nil
	case "plateau":
		p, err := schedule.PlateauFrom(lr, c.ScheduleSet)
		if err != nil {
			return &usageError{"--schedule " + strings.TrimPrefix(err.Error(), "schedule: ")}
		}
		tr.Plateau = p
		return nil
	}
	set := c.ScheduleSet
	if name == "onecycle" && !strings.Contains(set, "max_lr") {
		set = joinSet(set, "max_lr="+formatFloat(lr))
	}
	if name == "cyclic" && !strings.Contains(set, "max_lr") {
		set = joinSet(set, "max_lr="+formatFloat(lr))
	}
	s, err := scheduleFromFlags(name, lr, set, c.Epochs*tr.StepsPerEpoch())
	if err != nil {
		return &usageError{"--schedule: " + err.Error()}
	}
	tr.Schedule = s
	return nil
}

func joinSet(set, kv string) string {
	if set == "" {
		return kv
	}
	return set + "," + kv
}

func parseBatch(s string) (int, error) {
	if s == "full" {
		return 0, nil
	}
	b, err := strconv.Atoi(s)
	if err != nil || b <= 0 {
		return 0, usagef("--batch %q: want a positive size, or full", s)
	}
	return b, nil
}

// loadData returns the embedded MNIST, or the IDX files in c.Data, cut to
// the first c.Limit images when c.Limit is positive.
func loadData(c trainConfig) (data.Dataset, data.Dataset, error) {
	if c.Limit < 0 {
		return nil, nil, usagef("--limit %d: want a positive number of images, or 0 for all", c.Limit)
	}
	var tr, te *data.Images
	var err error
	if c.Data == "" {
		if tr, te, err = data.LoadMNIST(); err != nil {
			return nil, nil, err
		}
	} else {
		if st, err := os.Stat(c.Data); err != nil || !st.IsDir() {
			return nil, nil, usagef("--data %s: not a readable directory", c.Data)
		}
		if tr, te, err = data.LoadIDXDir(c.Data); err != nil {
			return nil, nil, &usageError{err.Error()}
		}
	}
	if tr.Len() == 0 || te.Len() == 0 {
		which := map[bool]string{true: "training", false: "test"}[tr.Len() == 0]
		return nil, nil, usagef("--data %s: the %s set is empty: no images to train and test on", c.Data, which)
	}
	if c.Limit == 0 {
		return tr, te, nil
	}
	trainSet, err := data.First(tr, min(c.Limit, tr.Len()))
	if err != nil {
		return nil, nil, err
	}
	testSet, err := data.First(te, min(c.Limit, te.Len()))
	if err != nil {
		return nil, nil, err
	}
	return trainSet, testSet, nil
}

func dataName(c trainConfig) string {
	name := c.Data
	if c.Data == "" {
		name = "embedded MNIST"
	}
	if c.Limit > 0 {
		name += fmt.Sprintf(", first %d", c.Limit)
	}
	return name
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

// describeModel names the model, sized for examples of shape example in
// classes classes, and the optimizer.
func describeModel(c trainConfig, example []int, classes int) string {
	s := c.Model
	if c.Model == "mlp" {
		in := 1
		for _, d := range example {
			in *= d
		}
		s = fmt.Sprintf("mlp %d-%s-%d", in, strings.ReplaceAll(c.Hidden, ",", "-"), max(classes, 1))
	}
	if slices.Contains(models.RecurrentNames, c.Model) {
		s = describeRecurrent(c)
	}
	lr := c.LR
	if lr == "" {
		lr = "default"
	}
	s += ", " + c.Opt + " lr " + lr
	if c.Schedule != "" && c.Schedule != "none" {
		s += " (" + c.Schedule + ")"
	}
	return s
}

// prepareDir creates the output directory and writes run.json, so that a
// run killed at any point can be resumed from its recorded configuration.
// A fresh run refuses a directory that already holds one; a resumed run
// deletes the temporary files that writes killed half-way left behind.
func prepareDir(w io.Writer, dir string, c trainConfig, resolved *resolvedConfigs, resuming bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usagef("cannot create output directory: %v", err)
	}
	if resuming {
		removed, err := train.RemoveStaleTemp(dir)
		if err != nil {
			return usagef("--resume %s: %v", dir, err)
		}
		if len(removed) > 0 {
			fmt.Fprintf(w, "removed %d temporary file(s) left by an interrupted write: %s\n", len(removed), strings.Join(removed, ", "))
		}
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, train.CheckpointFile)); err == nil {
		return usagef("--out %s already holds a run (%s): continue it with --resume %s, or choose another --out", dir, train.CheckpointFile, dir)
	}
	info := runInfo{Config: c, Resolved: resolved, Command: os.Args, Version: version, GoVersion: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH, GEMM: kernel.GemmKernel(), Started: time.Now().UTC().Format(time.RFC3339)}
	raw, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	if err := train.WriteFileAtomic(filepath.Join(dir, "run.json"), func(w io.Writer) error {
		_, err := w.Write(append(raw, '\n'))
		return err
	}); err != nil {
		return usagef("cannot write in output directory %s: %v", dir, err)
	}
	return nil
}

// maxRunJSON bounds the size of run.json read by --resume; a real one is
// about a kilobyte.
const maxRunJSON = 1 << 20

// readRunInfo reads DIR/run.json strictly: unknown fields, a wrong type,
// trailing data or an oversized file are errors naming the file and field.
func readRunInfo(dir string) (*runInfo, error) {
	path := filepath.Join(dir, "run.json")
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--resume %s: %v (is it a descent run directory?)", dir, err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxRunJSON+1))
	if err != nil {
		return nil, fmt.Errorf("--resume %s: reading %s: %v", dir, path, err)
	}
	return decodeRunInfo(raw, path)
}

// decodeRunInfo parses the bytes of a run.json; path names it in errors.
func decodeRunInfo(raw []byte, path string) (*runInfo, error) {
	if len(raw) > maxRunJSON {
		return nil, fmt.Errorf("%s: larger than %d bytes: not a run.json written by descent", path, maxRunJSON)
	}
	var info runInfo
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&info); err != nil {
		return nil, fmt.Errorf("%s: %v", path, jsonErrorAt(raw, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: offset %d: unexpected data after the JSON object", path, dec.InputOffset())
	}
	return &info, nil
}

// jsonErrorAt adds the byte offset to a JSON syntax error, which Go reports
// without it in the message.
func jsonErrorAt(raw []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("offset %d: %v", se.Offset, err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("offset %d: field %s: got a JSON %s, want %v", te.Offset, te.Field, te.Value, te.Type)
	}
	return err
}
