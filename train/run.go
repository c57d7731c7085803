package train

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
)

// Run is a training run built from a Config and not yet started: data,
// model, optimizer, schedule and Trainer, every setting checked. Give it
// a directory (UseDir), restore its checkpoint or apply its starting
// weights (RestoreOrInit), then train with Trainer.Run.
type Run struct {
	Config      Config
	Model       nn.Module[float32]
	Trainer     *Trainer
	Train, Test data.Dataset
	Source      *data.Source // a CSV file or an image folder, whose preprocessing the run saves; nil for images
	Description string       // the model and optimizer (Describe), for a first line and the curves' title

	freeze []*autograd.Var[float32]  // the parameters Config.Freeze names
	initSD []nn.NamedTensor[float32] // the Config.InitFrom tensors, checked against the model
}

// PrepareOptions are where a prepared run reports, and how much memory
// it may use.
type PrepareOptions struct {
	Out   io.Writer // progress and one line per epoch (Options.Out); nil is silent
	Quiet bool      // Options.Quiet
	// AvailableMemory says how much memory the run may hold; nil is the
	// machine's (AvailableMemory). A run whose estimate (EstimateMemory)
	// exceeds it is refused before the optimizer is allocated.
	AvailableMemory func() (int64, bool)
}

// Prepare checks c and builds its run: the data (LoadData), the model
// (BuildModel), the memory check, the optimizer (BuildOptimizer), the
// parameters to freeze (SelectFrozen), the weights to start from (read
// and checked against the model, nn.CheckPartial), the trainer and its
// schedule. Every mistake in c, and every bad input it names, is a
// ConfigError; nothing is written.
func Prepare(c Config, o PrepareOptions) (*Run, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	batch, _ := c.BatchSize()
	trainSet, testSet, source, err := LoadData(c)
	if err != nil {
		return nil, err
	}
	model, err := BuildModel(c, trainSet.Shape(), trainSet.Classes())
	if err != nil {
		return nil, err
	}
	if err := checkMemory(c, model, trainSet, testSet, batch, o.AvailableMemory); err != nil {
		return nil, err
	}
	opt, err := BuildOptimizer(c, model.Parameters())
	if err != nil {
		return nil, err
	}
	r := &Run{Config: c, Model: model, Train: trainSet, Test: testSet, Source: source,
		Description: Describe(c, trainSet.Shape(), trainSet.Classes())}
	if c.Freeze != "" {
		if r.freeze, err = SelectFrozen(model, strings.Split(c.Freeze, ",")); err != nil {
			return nil, configErrorf("{freeze} %q: %s", c.Freeze, strings.TrimPrefix(err.Error(), "train: freeze: ")).wrap(err)
		}
	}
	if c.InitFrom != "" {
		if r.initSD, err = readInitFrom(c.InitFrom, model); err != nil {
			return nil, err
		}
	}
	r.Trainer, err = NewTrainer(model, opt, trainSet, testSet, c.Model == "mlp", c.Seed,
		Options{Epochs: c.Epochs, BatchSize: batch, ClipGradNorm: c.ClipGradNorm, EvalBatch: evalBatch(c),
			CheckpointEvery: c.CheckpointEvery, Out: o.Out, Quiet: o.Quiet, Title: r.Description})
	if err != nil {
		return nil, inputError(err)
	}
	if err := setSchedule(r.Trainer, c); err != nil {
		return nil, err
	}
	return r, nil
}

// evalBatch is the batch the run evaluates in: the trainer's 1000, but 128
// for recurrent models, whose evaluation keeps every step's input
// projection (1000 x 28 steps x 4H floats: 57 MB for an LSTM-128, more
// than the rest of the run) and gains no speed from larger batches: the
// step's GEMMs are already efficient at 128 rows, the training batch.
func evalBatch(c Config) int {
	if isRecurrent(c.Model) {
		return 128
	}
	return 1000
}

// checkMemory estimates what the run will hold in memory (EstimateMemory)
// and refuses, before the optimizer and the step buffers are allocated, a
// run that cannot fit in the memory available.
func checkMemory(c Config, model nn.Module[float32], trainSet, testSet data.Dataset, batch int, available func() (int64, bool)) error {
	if available == nil {
		available = AvailableMemory
	}
	avail, ok := available()
	if !ok {
		return nil
	}
	if batch == 0 || batch > trainSet.Len() {
		batch = trainSet.Len()
	}
	est := EstimateMemory(model, trainSet.Shape(), c.Model == "mlp", batch, min(evalBatch(c), testSet.Len()), optimizerBuffers(c))
	if err := est.Check(avail); err != nil {
		return configErrorf("{batch} %s: %s", c.Batch, strings.TrimPrefix(err.Error(), "train: ")).wrap(err)
	}
	return nil
}

// readInitFrom reads the weights to start from and checks them against
// the model before anything is trained or written: a tensor the model has
// must have its shape, every value must be finite, and at least one tensor
// must be the model's (a file of another model would load nothing).
func readInitFrom(path string, model nn.Module[float32]) ([]nn.NamedTensor[float32], error) {
	sd, err := LoadWeights(path)
	if err != nil {
		return nil, configErrorf("{init_from:weights to start from}: %v", err)
	}
	if err := CheckFinite(sd); err != nil {
		return nil, configErrorf("{init_from} %s: %v", path, err)
	}
	rep, err := nn.CheckPartial[float32](model, sd)
	if err != nil {
		return nil, configErrorf("{init_from} %s: %s", path, strings.TrimPrefix(err.Error(), "nn: load state dict: ")).wrap(err)
	}
	if len(rep.Loaded) == 0 && len(rep.Unexpected) > 0 { // another model's file: nothing would load
		return nil, configErrorf("{init_from} %s: none of its tensors (%s) is the model's (%s): is {model} right?",
			path, shortList(rep.Unexpected), shortList(rep.Missing))
	}
	return sd, nil
}

// RestoreOrInit continues from the checkpoint in dir if there is one, and
// reports true; otherwise it loads Config.InitFrom's weights (reporting
// what loaded to w), pretrains (Config.Pretrain) and then freezes
// Config.Freeze's parameters in the fresh model. A run killed before its
// first checkpoint thus starts again from its configuration, which gives
// the same bits. An empty dir means a fresh start. A damaged or foreign
// checkpoint, or one written by a run of another batch size, data or
// length (ErrRunChanged), is a ConfigError.
func (r *Run) RestoreOrInit(dir string, w io.Writer) (resumed bool, err error) {
	path := filepath.Join(dir, CheckpointFile)
	if _, err := os.Stat(path); dir != "" && err == nil {
		ck, err := LoadCheckpoint(path)
		if err != nil {
			return false, inputError(err)
		}
		if err := r.Trainer.Restore(ck); err != nil {
			if errors.Is(err, ErrRunChanged) {
				return false, configErrorf("%s was edited after the checkpoint was written: %v", filepath.Join(dir, RunFile), err)
			}
			return false, inputError(err)
		}
		Freeze(r.freeze)
		return true, nil
	}
	if err := r.init(w); err != nil {
		return false, err
	}
	Freeze(r.freeze)
	return false, nil
}

// init applies InitFrom and Pretrain to the fresh model.
func (r *Run) init(w io.Writer) error {
	c := r.Config
	if c.InitFrom != "" {
		rep, err := nn.LoadPartial[float32](r.Model, r.initSD)
		if err != nil {
			return configErrorf("{init_from} %s: %v", c.InitFrom, err)
		}
		fmt.Fprintf(w, "init-from %s: loaded %s; kept their initialization: %s\n", c.InitFrom, listOrNone(rep.Loaded), listOrNone(rep.Missing))
		if len(rep.Unexpected) > 0 {
			fmt.Fprintf(w, "init-from %s: ignored tensors the model does not have: %s\n", c.InitFrom, strings.Join(rep.Unexpected, ", "))
		}
	}
	if c.Pretrain != "" {
		seq, ok := r.Model.(*nn.Sequential[float32])
		if !ok {
			return c.pretrainMLPOnly()
		}
		err := PretrainAutoencoder(seq, r.Train, PretrainOptions{Epochs: c.PretrainEpochs, Seed: c.Seed, Out: w})
		if err != nil {
			return err
		}
	}
	if c.InitFrom != "" || c.Pretrain != "" {
		// An optimizer may copy the parameters when it is made (Lookahead's
		// slow weights): the one that trains is made from the weights
		// training starts from, not from those Prepare saw.
		opt, err := BuildOptimizer(c, r.Model.Parameters())
		if err != nil {
			return err
		}
		r.Trainer.Optimizer = opt
	}
	return nil
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// shortList joins names, the first four and a count past them.
func shortList(names []string) string {
	if len(names) > 4 {
		return fmt.Sprintf("%s, ... %d in all", strings.Join(names[:4], ", "), len(names))
	}
	return strings.Join(names, ", ")
}
