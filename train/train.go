// Package train is the training loop: batches -> forward -> loss ->
// backward -> optimizer step, with evaluation, metrics, checkpoints that
// resume bit for bit, divergence detection and progress reporting.
//
// It takes a model, an optimizer and a schedule already built, or builds
// them from a Config (Prepare; the descent command fills one from flags,
// or from run.json when resuming), and the data sets; what it adds is the
// bookkeeping that makes a run reproducible:
// the data order is a function of (seed, epoch), the random state used by
// layers such as Dropout is saved, and a checkpoint holds everything needed
// to continue exactly where the run stopped.
package train

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"time"
	"unsafe"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/schedule"
	"github.com/descent-ml/descent/tensor"
)

// Options configure a run. Zero values mean the documented defaults.
type Options struct {
	Epochs    int  // passes over the training set; default 1
	BatchSize int  // examples per step; 0 is full batch (gradient descent)
	DropLast  bool // drop a last, smaller batch of each epoch
	// ClipGradNorm, when positive, rescales the gradients so that their
	// global L2 norm is at most this (torch.nn.utils.clip_grad_norm_).
	ClipGradNorm float64
	// CheckpointEvery, when positive, also writes a checkpoint every this
	// many optimizer steps (one is always written at the end of an epoch).
	CheckpointEvery int
	// Dir is where model.safetensors, checkpoint.safetensors and
	// metrics.csv are written; empty writes nothing.
	Dir string
	// EvalBatch is the batch size of evaluation; default 1000.
	EvalBatch int
	// Out receives progress and one line per epoch; nil is silent.
	Out io.Writer
	// Quiet drops the progress bar but keeps the per-epoch lines.
	Quiet bool
	// Plot writes curves.png after each epoch.
	Plot bool
	// Title heads the curves picture.
	Title string
	// StopAfterSteps, when positive, stops the run (as an interrupt does:
	// checkpoint and ErrInterrupted) once this many steps have been taken
	// in this process. Tests use it to cut runs at chosen moments.
	StopAfterSteps int
	// Pause, if set, is called after every step, and the time it takes
	// is not counted in the epoch's seconds. lab.Compare uses it to let
	// several trainers take turns on the machine.
	Pause func()
}

// Trainer holds a run's parts and its position.
type Trainer struct {
	Model     nn.Module[float32]
	Optimizer optim.Optimizer[float32]
	// Schedule, if set, gives the learning rate of every step (and the
	// momentum, for cyclic schedules with momentum cycling).
	Schedule schedule.Schedule
	// Plateau, if set, lowers the learning rate when the test loss stops
	// improving; it is stepped once per epoch.
	Plateau *schedule.Plateau
	// RNG is the random source of the layers (dropout masks); its state is
	// saved in checkpoints. NewTrainer seeds it from the run's seed. For a
	// resume to be exact, layers must draw from rand.New(RNG): build the
	// PCG first, give the layers rand.New of it, and set RNG to it.
	RNG *rand.PCG
	// Flat says the model takes flattened examples ([B, 784]) rather than
	// images ([B, 1, 28, 28]).
	Flat bool
	// Stats, if set, receives every step's statistics (package monitor).
	Stats StatsSink

	Train, Test data.Dataset
	Options     Options

	// Position, restored from a checkpoint.
	pos     Position
	history []EpochMetrics

	// saved is the position of the last checkpoint written or restored,
	// for the divergence report; savedOK says there is one.
	saved   Position
	savedOK bool

	loader *data.Loader[float32]
	params []*autograd.Var[float32]
	graph  *autograd.Graph[float32]
	eval   *autograd.Graph[float32]
	input  *autograd.Var[float32]
	target *autograd.Var[float32] // regression targets of the batch
	preds  []int
	stats  StepStats
	gradSq []float64    // Σ g² of each parameter's gradient, by gradsFinite
	dist   *distributed // set by SetCommunicator; nil for one process
	// regress says the training set is a regression (IsRegression): MSE
	// on one output instead of cross-entropy.
	regress bool
}

// Position is where a run stands: the next step to take.
type Position struct {
	Epoch int    // 1-based epoch the next step belongs to
	Batch int    // index within the epoch of the next batch
	Step  int    // optimizer steps taken so far
	Seed  uint64 // the data loader's shuffling seed
	// Running sums over the current epoch's finished batches.
	LossSum  float64
	Correct  int
	Seen     int
	Elapsed  float64 // seconds spent in the current epoch before a resume
	Finished bool    // every epoch done
}

// ErrInterrupted is returned when the context was cancelled (Ctrl-C) or
// StopAfterSteps was reached: the current step was finished and a
// checkpoint written.
var ErrInterrupted = errors.New("train: interrupted")

// DivergenceError reports a run whose loss, gradients or parameters
// became NaN or infinite. The step that produced them is not applied, and
// no checkpoint is written from a non-finite state, so the last checkpoint
// on disk (if any) is still good.
type DivergenceError struct {
	Epoch, Step int
	LR          float64
	Param       string // first parameter (in the model's order) with a non-finite value or gradient; "" if none
	// What became non-finite: "loss", "gradient" or "value" (of Param),
	// or, at the end of an epoch with finite weights, "test loss" or
	// "learning rate".
	What string
	Loss float64 // the training loss of the step, or the test loss when What is "test loss"
	// Checkpoint is the path of the last good checkpoint, written or
	// restored by this run, and CheckpointEpoch and CheckpointStep its
	// position; Checkpoint is "" when there is none.
	Checkpoint                      string
	CheckpointEpoch, CheckpointStep int
}

// Summary says where the run diverged and what became non-finite.
func (e *DivergenceError) Summary() string {
	what := fmt.Sprintf("the loss (%v)", e.Loss)
	if e.Param != "" {
		what = fmt.Sprintf("the %s of parameter %q", e.What, e.Param)
		if e.What == "gradient" && (math.IsNaN(e.Loss) || math.IsInf(e.Loss, 0)) {
			what = fmt.Sprintf("the loss (%v) and the gradient of parameter %q", e.Loss, e.Param)
		}
	}
	if e.Param == "" && e.What == "test loss" {
		what = fmt.Sprintf("the test loss (%v)", e.Loss)
	} else if e.Param == "" && e.What == "learning rate" {
		what = fmt.Sprintf("the learning rate (%v)", e.LR)
	}
	return fmt.Sprintf("training diverged at epoch %d, step %d (lr %g): %s became non-finite", e.Epoch, e.Step, e.LR, what)
}

// CheckpointNote says where the last good checkpoint is, if any.
func (e *DivergenceError) CheckpointNote() string {
	if e.Checkpoint == "" {
		return "no checkpoint was written before it"
	}
	return fmt.Sprintf("the last good checkpoint (epoch %d, step %d) is %s", e.CheckpointEpoch, e.CheckpointStep, e.Checkpoint)
}

// Error is Summary with the usual cures, in the library's terms, and the
// CheckpointNote; a command line puts its own flags in their place.
func (e *DivergenceError) Error() string {
	return e.Summary() + "; try a lower learning rate or Options.ClipGradNorm 1; " + e.CheckpointNote()
}

// NewTrainer prepares a run. seed fixes the data order and the layers'
// random state. Both data sets must hold examples: an empty test set
// would give every epoch a test loss of 0/0.
func NewTrainer(model nn.Module[float32], opt optim.Optimizer[float32], trainSet, testSet data.Dataset, flat bool, seed uint64, o Options) (*Trainer, error) {
	if trainSet == nil || trainSet.Len() == 0 {
		return nil, fmt.Errorf("train: the training set is empty")
	}
	if testSet == nil || testSet.Len() == 0 {
		return nil, fmt.Errorf("train: the test set is empty: there is nothing to measure the epochs on")
	}
	if o.Epochs <= 0 {
		o.Epochs = 1
	}
	if o.EvalBatch <= 0 {
		o.EvalBatch = 1000
	}
	t := &Trainer{Model: model, Optimizer: opt, Train: trainSet, Test: testSet, Flat: flat, Options: o,
		RNG: rand.NewPCG(seed, 0x5eed)}
	loader, err := data.NewLoader[float32](trainSet, data.LoaderOptions{BatchSize: o.BatchSize, DropLast: o.DropLast, Flat: flat},
		tensor.NewRand(seed))
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	t.loader = loader
	t.pos = Position{Epoch: 1, Seed: loader.Seed()}
	t.params = model.Parameters()
	t.graph = autograd.New[float32]()
	t.eval = autograd.New[float32]()
	t.input = autograd.NewConstant(tensor.New[float32](0))
	t.target = autograd.NewConstant(tensor.New[float32](0))
	t.regress = IsRegression(trainSet)
	return t, nil
}

// Position returns where the run stands.
func (t *Trainer) Position() Position { return t.pos }

// History returns the metrics of the finished epochs.
func (t *Trainer) History() []EpochMetrics { return t.history }

// StepsPerEpoch returns the number of optimizer steps in one epoch.
func (t *Trainer) StepsPerEpoch() int { return t.loader.Len() }

// lr returns the first group's learning rate.
func (t *Trainer) lr() float64 { return t.Optimizer.Groups()[0].LR }

// applySchedule sets the learning rate (and momentum) of step.
func (t *Trainer) applySchedule(step int) {
	if t.Schedule == nil {
		return
	}
	lr := t.Schedule.At(step)
	for _, g := range t.Optimizer.Groups() {
		g.LR = lr
	}
	if ms, ok := t.Schedule.(schedule.MomentumSchedule); ok {
		if m, on := ms.MomentumAt(step); on {
			if setter, ok := t.Optimizer.(optim.MomentumSetter); ok {
				setter.SetMomentum(m)
			}
		}
	}
}

// Run trains until every epoch is done, the context is cancelled, or the
// run diverges. Cancellation finishes the current step, writes a
// checkpoint and returns ErrInterrupted.
func (t *Trainer) Run(ctx context.Context) error {
	o := t.Options
	t.loader.SetSeed(t.pos.Seed)
	if err := t.startDistributed(ctx); err != nil {
		return err
	}
	stepsHere := 0
	for !t.pos.Finished {
		epoch := t.pos.Epoch
		nn.SetTraining(t.Model, true)
		start := time.Now()
		prog := newProgress(progressWriter(o), epoch, o.Epochs, t.Train.Len(), o.Quiet)
		for i, b := range t.loader.EpochFrom(epoch-1, t.pos.Batch) {
			if err := t.step(b.X, b.Labels, b.Index); err != nil {
				prog.finish()
				return err
			}
			t.pos.Batch = i + 1
			stepsHere++
			prog.update(t.pos.Seen, t.pos.LossSum/float64(t.pos.Seen), float64(t.pos.Correct)/float64(t.pos.Seen))
			if o.Pause != nil {
				paused := time.Now()
				o.Pause()
				start = start.Add(time.Since(paused))
			}
			stop := t.cancelled(ctx) || (o.StopAfterSteps > 0 && stepsHere >= o.StopAfterSteps)
			if stop || (o.CheckpointEvery > 0 && t.pos.Step%o.CheckpointEvery == 0 && t.pos.Batch < t.loader.Len()) {
				elapsed := t.pos.Elapsed
				t.pos.Elapsed += time.Since(start).Seconds()
				if err := t.checkpoint(); err != nil {
					prog.finish()
					return err
				}
				if stop {
					prog.finish()
					return ErrInterrupted
				}
				t.pos.Elapsed = elapsed
			}
		}
		prog.finish()
		if err := t.endEpoch(start); err != nil {
			return err
		}
	}
	return nil
}

func progressWriter(o Options) io.Writer {
	if o.Out == nil {
		return io.Discard
	}
	return o.Out
}

// step runs one optimizer step on a batch. A non-finite loss or gradient
// stops the run before the optimizer applies it, so the weights stay those
// of the last good step. In a distributed run the batch is this rank's
// share of the global batch: the gradients are averaged across the ranks
// (shareLoss, shareGradients) before the checks, and every rank then checks, records
// and steps on the global numbers, identically.
func (t *Trainer) step(x *tensor.Tensor[float32], labels, idx []int) error {
	t.applySchedule(t.pos.Step)
	tape := t.statsBegin()
	t.Optimizer.ZeroGrad()
	t.shareBegin()
	lossValue, correct := 0.0, t.pos.Correct
	if len(labels) > 0 { // a short last batch may leave a rank of a distributed run none
		t.input.Value = x
		g := t.graph
		logits := t.Model.Forward(g, t.input)
		var loss *autograd.Var[float32]
		if t.regress {
			loss = regressionLoss(g, logits, t.Train, idx, t.target)
		} else {
			loss = g.CrossEntropy(logits, labels)
			t.countCorrect(logits.Value, labels)
		}
		lossValue = float64(loss.Value.Item())
		if t.dist == nil && (math.IsNaN(lossValue) || math.IsInf(lossValue, 0)) {
			// Backpropagate anyway: the report then names a parameter whose
			// gradient the non-finite loss poisons, if no value already is.
			g.Backward(loss)
			return t.diverged(lossValue, t.pos.Step+1)
		}
		g.Backward(t.shareLoss(loss, len(labels), correct))
	}
	lossValue, batch, err := t.shareGradients(lossValue, len(labels))
	if err != nil {
		return err
	}
	if math.IsNaN(lossValue) || math.IsInf(lossValue, 0) || !t.gradsFinite() {
		return t.diverged(lossValue, t.pos.Step+1)
	}
	t.statsObserve(lossValue, batch, tape)
	if t.Options.ClipGradNorm > 0 {
		optim.ClipGradNorm(t.params, t.Options.ClipGradNorm)
	}
	t.Optimizer.Step()
	t.pos.Step++
	t.pos.LossSum += lossValue * float64(batch)
	t.pos.Seen += batch
	t.statsStepped()
	return nil
}

// gradsFinite reports whether every gradient is finite. It sums each
// gradient's squares in float64 (a sum of float32 squares is non-finite
// exactly when an element is, and the vector kernel reads faster than
// allFinite), so the one pass also gives the gradient norms that a
// statistics sink records (StepStats.GradSq).
func (t *Trainer) gradsFinite() bool {
	t.gradSq = t.gradSq[:0]
	finite := true
	for _, p := range t.params {
		q := 0.0
		if p.Grad != nil {
			q = kernel.SumSquares(p.Grad.Data())
		}
		t.gradSq = append(t.gradSq, q)
		finite = finite && !math.IsNaN(q) && !math.IsInf(q, 0)
	}
	return finite
}

func (t *Trainer) countCorrect(logits *tensor.Tensor[float32], labels []int) {
	if cap(t.preds) < len(labels) {
		t.preds = make([]int, len(labels))
	}
	preds := t.preds[:len(labels)]
	tensor.ArgMaxRows(logits, preds)
	for i, p := range preds {
		if p == labels[i] {
			t.pos.Correct++
		}
	}
}

// diverged builds the DivergenceError, naming the first parameter whose
// value, or else whose gradient, is not finite; step is the 1-based step
// that produced them.
func (t *Trainer) diverged(loss float64, step int) *DivergenceError {
	e := &DivergenceError{Epoch: t.pos.Epoch, Step: step, LR: t.lr(), Loss: loss, What: "loss"}
	if t.savedOK {
		e.Checkpoint = filepath.Join(t.Options.Dir, CheckpointFile)
		e.CheckpointEpoch, e.CheckpointStep = t.saved.Epoch, t.saved.Step
	}
	for _, what := range []string{"value", "gradient"} {
		for _, p := range t.params {
			tt := p.Value
			if what == "gradient" {
				tt = p.Grad
			}
			if tt != nil && !allFinite(tt.Data()) {
				e.Param, e.What = p.Name, what
				return e
			}
		}
	}
	return e
}

// allFinite reports whether no element of xs is NaN or infinite. It looks
// at the exponent bits only: a float32 is non-finite exactly when its eight
// exponent bits are all ones, and adding one to that field then carries
// into the sign bit (and never beyond: 0x7f800000 + 0x00800000 is
// 0x80000000). Two floats share a uint64, whose lanes cannot carry into
// each other, and OR-ing the carries keeps the loop branch-free, so
// checking every gradient each step costs a fraction of a millisecond.
func allFinite(xs []float32) bool {
	const (
		exp  = 0x7f800000_7f800000
		one  = 0x00800000_00800000
		sign = 0x80000000_80000000
	)
	var a, b, c, d uint64
	if len(xs) > 0 && uintptr(unsafe.Pointer(&xs[0]))%8 != 0 {
		// A view that starts mid-pair: the first float alone, so that the
		// uint64 loads are aligned (as the race detector's checkptr wants).
		a |= uint64(math.Float32bits(xs[0]))&exp + one
		xs = xs[1:]
	}
	var pairs []uint64
	if len(xs) >= 2 {
		pairs = unsafe.Slice((*uint64)(unsafe.Pointer(&xs[0])), len(xs)/2)
	}
	i := 0
	for ; i+4 <= len(pairs); i += 4 {
		a |= pairs[i]&exp + one
		b |= pairs[i+1]&exp + one
		c |= pairs[i+2]&exp + one
		d |= pairs[i+3]&exp + one
	}
	for ; i < len(pairs); i++ {
		a |= pairs[i]&exp + one
	}
	if len(xs)%2 == 1 {
		a |= uint64(math.Float32bits(xs[len(xs)-1]))&exp + one
	}
	return (a|b|c|d)&sign == 0
}

// endEpoch evaluates, records metrics, steps the plateau schedule, writes
// files and moves to the next epoch.
//
// The last step of an epoch can overflow the weights although its loss and
// gradients were finite (the next step would see it, but there is none in
// this epoch): weights, test loss and learning rate are checked first, and
// a non-finite one is a divergence, so no file of the run ever receives a
// non-finite number.
func (t *Trainer) endEpoch(start time.Time) error {
	for _, p := range t.params {
		if !allFinite(p.Value.Data()) {
			return t.diverged(math.NaN(), t.pos.Step)
		}
	}
	testLoss, testAcc, err := t.evaluate()
	if err != nil {
		return err
	}
	m := EpochMetrics{Epoch: t.pos.Epoch, TrainLoss: t.pos.LossSum / math.Max(float64(t.pos.Seen), 1),
		TestLoss: testLoss, TestAccuracy: testAcc, LR: t.lr(),
		Seconds: t.pos.Elapsed + time.Since(start).Seconds()}
	if !finite(m.TestLoss) || !finite(m.LR) || !finite(m.TrainLoss) {
		e := t.diverged(m.TestLoss, t.pos.Step)
		e.What = "test loss"
		if !finite(m.LR) {
			e.What = "learning rate"
		}
		return e
	}
	t.history = append(t.history, m)
	if t.Stats != nil {
		t.Stats.EndEpoch(m, t.params)
	}
	if t.Plateau != nil {
		lr := t.Plateau.Step(testLoss)
		for _, g := range t.Optimizer.Groups() {
			g.LR = lr
		}
	}
	if t.Options.Out != nil && t.regress {
		fmt.Fprintf(t.Options.Out, "epoch %d/%d  train_loss %.4f  test_loss %.4f  test_rmse %.4f  lr %.4g  %.2fs\n",
			m.Epoch, t.Options.Epochs, m.TrainLoss, m.TestLoss, math.Sqrt(m.TestLoss), m.LR, m.Seconds)
	} else if t.Options.Out != nil {
		fmt.Fprintf(t.Options.Out, "epoch %d/%d  train_loss %.4f  test_loss %.4f  test_accuracy %.4f  lr %.4g  %.2fs\n",
			m.Epoch, t.Options.Epochs, m.TrainLoss, m.TestLoss, m.TestAccuracy, m.LR, m.Seconds)
	}
	t.pos = Position{Epoch: t.pos.Epoch + 1, Step: t.pos.Step, Seed: t.pos.Seed}
	if t.pos.Epoch > t.Options.Epochs {
		t.pos.Finished = true
	}
	return t.writeEpochFiles()
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Evaluate returns the mean cross-entropy loss and the accuracy of the
// model on ds, in evaluation mode and without recording gradients.
func (t *Trainer) Evaluate(ds data.Dataset) (loss, accuracy float64) {
	return Evaluate(t.Model, ds, t.Flat, t.Options.EvalBatch, t.eval)
}

// Evaluate returns the mean cross-entropy loss and the accuracy of model on
// ds, in evaluation mode and without recording gradients. g may be nil.
// For a regression set (IsRegression) the loss is the mean squared error
// and the accuracy 0.
func Evaluate(model nn.Module[float32], ds data.Dataset, flat bool, batch int, g *autograd.Graph[float32]) (loss, accuracy float64) {
	if g == nil {
		g = autograd.New[float32]()
	}
	if batch <= 0 {
		batch = 1000
	}
	if IsRegression(ds) {
		return evaluateRegression(model, ds, flat, batch, g), 0
	}
	nn.SetTraining(model, false)
	defer nn.SetTraining(model, true)
	loader, err := data.NewLoader[float32](ds, data.LoaderOptions{BatchSize: batch, NoShuffle: true, Flat: flat}, tensor.NewRand(0))
	if err != nil {
		return math.NaN(), 0
	}
	x := autograd.NewConstant(tensor.New[float32](0))
	var sum float64
	correct := 0
	preds := make([]int, loader.BatchSize())
	g.NoGrad(func() {
		for _, b := range loader.Epoch(0) {
			g.Reset()
			x.Value = b.X
			logits := model.Forward(g, x)
			l := g.CrossEntropy(logits, b.Labels)
			sum += float64(l.Value.Item()) * float64(len(b.Labels))
			p := preds[:len(b.Labels)]
			tensor.ArgMaxRows(logits.Value, p)
			for i, c := range p {
				if c == b.Labels[i] {
					correct++
				}
			}
		}
		g.Reset()
	})
	n := float64(ds.Len())
	return sum / n, float64(correct) / n
}

// writeEpochFiles writes the weights, metrics.csv, the curves and then the
// checkpoint at the end of an epoch. The checkpoint comes last: a run
// killed before it resumes from the previous checkpoint and rewrites the
// other files, while one killed after it finds them all written.
func (t *Trainer) writeEpochFiles() error {
	if t.Options.Dir == "" {
		return nil
	}
	title := "" // no curves.png
	if t.Options.Plot {
		title = cmp.Or(t.Options.Title, "descent train")
	}
	if err := writeEpochRecords(t.Options.Dir, t.Model, t.history, t.lossCurve(), title); err != nil {
		return err
	}
	return t.checkpoint()
}

// writeEpochRecords writes what every run directory holds after an epoch
// (a classifier's, and the language model's of TrainText): the weights,
// metrics.csv and, unless title is "", curves.png of history and the
// step losses.
func writeEpochRecords(dir string, model nn.Module[float32], history []EpochMetrics, steps []StepLoss, title string) error {
	if err := SaveWeights(filepath.Join(dir, "model.safetensors"), model); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "metrics.csv"), func(w io.Writer) error {
		return WriteMetricsCSV(w, history)
	}); err != nil {
		return err
	}
	if title == "" {
		return nil
	}
	if err := PlotCurves(filepath.Join(dir, "curves.png"), title, []Series{{Rows: history, Steps: steps}}); err != nil {
		return fmt.Errorf("train: drawing curves.png: %w", err)
	}
	return nil
}
