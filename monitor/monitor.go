// Package monitor records a run's step-level and per-layer statistics, read
// from tensors the training step already has, into the run directory next
// to metrics.csv: steps.csv (loss, lr, momentum, global gradient norm every
// few steps), layers.csv (per layer, every N steps: weight and gradient
// norms, the update/weight ratio, the mean and variance of the layer's
// output, the variance of the gradient reaching it, dead and saturated
// units) and histograms.csv (weight histograms once per epoch). The
// formats are in docs/monitor.md; the files are append-only CSV, flushed
// row by row, so a live reader (the dashboard) can tail them.
//
// A Recorder is a train.StatsSink: set it as Trainer.Stats. Watchers (the
// doctor) see every row as it is written. These are TensorBoard's scalars
// and histograms plus the lecture's forward and backward variance per
// layer (the lab's variance picture, of the real run).
package monitor

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/train"
)

// File names in the run directory.
const (
	StepsFile      = "steps.csv"
	LayersFile     = "layers.csv"
	HistogramsFile = "histograms.csv"
)

// Options say how often to record. Zero values mean the defaults.
type Options struct {
	// Every is the interval, in steps, of the rows of steps.csv; each row's
	// loss is the mean over the steps since the previous row. Default 10.
	Every int
	// LayerEvery is the interval, in steps, of the per-layer rows; the
	// first step, and every LayerEvery/10 steps before LayerEvery, are
	// recorded too. Default 100.
	LayerEvery int
	// Bins is the number of bins of the weight histograms. Default 30.
	Bins int
}

// Defaults fills in zero fields.
func (o Options) Defaults() Options {
	if o.Every <= 0 {
		o.Every = 10
	}
	if o.LayerEvery <= 0 {
		o.LayerEvery = 100
	}
	if o.Bins <= 0 {
		o.Bins = 30
	}
	return o
}

// Watcher sees rows as they are written. The slices are reused: copy what
// you keep. Watchers run on the training goroutine and must be quick.
type Watcher interface {
	Steps(r StepRow)
	Layers(rows []LayerRow)
}

// Recorder writes a run's statistics. It implements train.StatsSink.
type Recorder struct {
	opt      Options
	dir      string
	steps    *csvFile
	layers   *csvFile
	hists    *csvFile
	watchers []Watcher

	lossSum float64 // over the steps since the last steps.csv row
	lossN   int
	norm    float64   // global gradient norm of this step, if measured
	gradSq  []float64 // Σ g² of each parameter at this step (StepStats.GradSq), if measured
	sqBuf   []float64 // gradSq when the step does not bring it
	probes  []probe   // one per layer, found on the first kept tape
	rows    []LayerRow
	pending bool // rows measured by Observe wait for the update ratio
	buf     []byte
}

var _ train.StatsSink = (*Recorder)(nil)
var _ train.LossCurve = (*Recorder)(nil)

// New opens (creating or appending to) the statistics files in dir. A
// resumed run appends: rows after the checkpoint it resumed from may then
// appear twice, and readers keep the last row of each step.
func New(dir string, o Options) (*Recorder, error) {
	r := &Recorder{opt: o.Defaults(), dir: dir}
	var err error
	if r.steps, err = openCSV(filepath.Join(dir, StepsFile), StepsHeader); err != nil {
		return nil, err
	}
	if r.layers, err = openCSV(filepath.Join(dir, LayersFile), LayersHeader); err != nil {
		r.steps.close()
		return nil, err
	}
	if r.hists, err = openCSV(filepath.Join(dir, HistogramsFile), HistogramsHeader); err != nil {
		r.steps.close()
		r.layers.close()
		return nil, err
	}
	return r, nil
}

// Watch adds a watcher.
func (r *Recorder) Watch(w Watcher) { r.watchers = append(r.watchers, w) }

// Dir returns the directory the recorder writes into.
func (r *Recorder) Dir() string { return r.dir }

// Close flushes and closes the files.
func (r *Recorder) Close() error {
	return firstErr(r.steps.close(), r.layers.close(), r.hists.close())
}

// WantTape implements train.StatsSink: the first step, every tenth of
// LayerEvery steps until LayerEvery (a run's first steps show most of what
// goes wrong, and short runs get several records), then every
// LayerEvery-th.
func (r *Recorder) WantTape(step int) bool {
	early := max(r.opt.LayerEvery/10, 1)
	return step == 1 || step%r.opt.LayerEvery == 0 || step < r.opt.LayerEvery && step%early == 0
}

func (r *Recorder) scalarStep(step int) bool { return step == 1 || step%r.opt.Every == 0 }

// Observe implements train.StatsSink: the gradient norm before clipping,
// and on kept tapes the per-layer statistics that need this step's
// gradients and the weights before the update.
func (r *Recorder) Observe(s *train.StepStats) {
	scalar := r.scalarStep(s.Step)
	if scalar || s.Tape != nil {
		r.gradSq = s.GradSq
		if len(r.gradSq) != len(s.Params) { // a caller without them: read the gradients
			r.gradSq = r.measureGrads(s.Params)
		}
	}
	if scalar {
		var sq float64
		for _, q := range r.gradSq {
			sq += q
		}
		r.norm = math.Sqrt(sq)
	}
	if s.Tape != nil {
		r.observeLayers(s)
	}
}

// measureGrads returns Σ g² of each parameter's gradient.
func (r *Recorder) measureGrads(params []*autograd.Var[float32]) []float64 {
	r.sqBuf = r.sqBuf[:0]
	for _, p := range params {
		q := 0.0
		if p.Grad != nil {
			q = kernel.SumSquares(p.Grad.Data())
		}
		r.sqBuf = append(r.sqBuf, q)
	}
	return r.sqBuf
}

// Stepped implements train.StatsSink: it writes the rows due at this step.
func (r *Recorder) Stepped(s *train.StepStats) {
	r.lossSum += s.Loss
	r.lossN++
	if r.scalarStep(s.Step) {
		row := StepRow{Epoch: s.Epoch, Step: s.Step, EpochFrac: float64(s.Step) / float64(max(s.StepsPerEpoch, 1)),
			Loss: r.lossSum / float64(r.lossN), LR: s.LR, Momentum: s.Momentum, GradNorm: r.norm}
		r.lossSum, r.lossN = 0, 0
		r.buf = row.appendCSV(r.buf[:0])
		r.steps.write(r.buf)
		r.steps.flush()
		for _, w := range r.watchers {
			w.Steps(row)
		}
	}
	if r.pending {
		r.finishLayers(s)
	}
}

// EndEpoch implements train.StatsSink: one histogram of every weight.
func (r *Recorder) EndEpoch(m train.EpochMetrics, params []*autograd.Var[float32]) {
	for _, p := range params {
		h := NewHistogram(p.Value.Data(), r.opt.Bins)
		h.Epoch, h.Param = m.Epoch, p.Name
		r.buf = h.appendCSV(r.buf[:0])
		r.hists.write(r.buf)
	}
	r.hists.flush()
}

// LossCurve implements train.LossCurve from steps.csv, so that a resumed
// run's curve includes the steps before the resume.
func (r *Recorder) LossCurve() []train.StepLoss {
	rows, err := ReadSteps(filepath.Join(r.dir, StepsFile))
	if err != nil {
		return nil
	}
	return LossCurve(rows)
}

// LossCurve turns step rows into the points train.PlotCurves draws.
func LossCurve(rows []StepRow) []train.StepLoss {
	out := make([]train.StepLoss, len(rows))
	for i, r := range rows {
		out[i] = train.StepLoss{Epoch: r.EpochFrac, Loss: r.Loss}
	}
	return out
}

// csvFile is an append-only CSV file, flushed after every row so that a
// reader tailing it sees whole rows. Write errors are kept, not returned:
// statistics must not stop a run; Close reports the first.
type csvFile struct {
	f   *os.File
	w   *bufio.Writer
	err error
}

func openCSV(path, header string) (*csvFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("monitor: %w", err)
	}
	c := &csvFile{f: f, w: bufio.NewWriterSize(f, 64<<10)}
	if st.Size() == 0 {
		c.write([]byte(header + "\n"))
		c.flush()
	}
	return c, c.err
}

func (c *csvFile) write(row []byte) {
	if c.err != nil {
		return
	}
	_, c.err = c.w.Write(row)
}

// flush hands the buffered rows to the file.
func (c *csvFile) flush() {
	if c.err == nil {
		c.err = c.w.Flush()
	}
}

func (c *csvFile) close() error {
	if c.f == nil {
		return c.err
	}
	err := firstErr(c.err, c.w.Flush(), c.f.Close())
	c.f = nil
	if err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
