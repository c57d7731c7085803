package train

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/optim/schedule"
)

// StatsSink receives, during a run, what each training step already
// computed, so that a recorder (package monitor) can write step-level and
// per-layer statistics without the trainer knowing their format. It is
// called on the training goroutine, between the backward pass and the
// optimizer step, so it must be quick; a sink that allocates nothing keeps
// the warm step allocation-free.
type StatsSink interface {
	// WantTape reports whether step (1-based) should keep its tape for
	// Observe: the recorded nodes, with every intermediate value and
	// gradient (each layer's output and the gradient reaching it).
	WantTape(step int) bool
	// Observe is called after the backward pass of a step whose loss and
	// gradients are finite, before gradient clipping and the optimizer
	// step: the parameters hold this step's gradients and the weights
	// before the update. s.Tape is valid only during the call.
	Observe(s *StepStats)
	// Stepped is called after the optimizer has updated the weights.
	Stepped(s *StepStats)
	// EndEpoch is called after each epoch's evaluation, before the epoch's
	// files are written.
	EndEpoch(m EpochMetrics, params []*autograd.Var[float32])
}

// StepStats is one step as a StatsSink sees it.
type StepStats struct {
	Epoch int // 1-based epoch of the step
	Step  int // 1-based number of the step in the run
	// Batch is the number of examples of the step, StepsPerEpoch the
	// number of steps of an epoch.
	Batch, StepsPerEpoch int
	Loss                 float64 // the batch's mean loss
	LR                   float64 // the first parameter group's learning rate
	Momentum             float64 // the momentum (or Adam's beta1) when a schedule sets it or the optimizer has Momentum(), else NaN
	Params               []*autograd.Var[float32]
	// GradSq holds Σ g² of each parameter's gradient (Params' order),
	// before clipping, from the pass that checked them for NaN: the
	// gradient norms without reading the gradients again.
	GradSq []float64
	Tape   []autograd.Node[float32] // nil unless WantTape(Step)
}

// LossCurve is implemented by sinks that keep the step-level training
// loss; curves.png then draws it (smoothed) instead of one point per
// epoch.
type LossCurve interface {
	// LossCurve returns the training loss against the (fractional) epoch.
	LossCurve() []StepLoss
}

// momentumGetter is implemented by optimizers that report their momentum
// (or beta1); the others' momentum is known only when a schedule sets it.
type momentumGetter interface{ Momentum() float64 }

// statsBegin tells the graph to keep this step's tape if the sink wants it.
func (t *Trainer) statsBegin() bool {
	if t.Stats == nil {
		return false
	}
	tape := t.Stats.WantTape(t.pos.Step + 1)
	t.graph.Retain = tape
	return tape
}

// statsObserve hands a finished backward pass to the sink and releases a
// kept tape.
func (t *Trainer) statsObserve(loss float64, batch int, tape bool) {
	if t.Stats == nil {
		return
	}
	s := &t.stats
	*s = StepStats{Epoch: t.pos.Epoch, Step: t.pos.Step + 1, Batch: batch, StepsPerEpoch: t.loader.Len(),
		Loss: loss, LR: t.lr(), Momentum: math.NaN(), Params: t.params, GradSq: t.gradSq}
	if mg, ok := t.Optimizer.(momentumGetter); ok {
		s.Momentum = mg.Momentum()
	}
	if ms, ok := t.Schedule.(schedule.MomentumSchedule); ok {
		if m, on := ms.MomentumAt(t.pos.Step); on {
			s.Momentum = m
		}
	}
	if tape {
		s.Tape = t.graph.Nodes()
	}
	t.Stats.Observe(s)
	if tape {
		s.Tape = nil
		t.graph.Retain = false
		t.graph.Reset()
	}
}

// statsStepped tells the sink the weights were updated.
func (t *Trainer) statsStepped() {
	if t.Stats != nil {
		t.Stats.Stepped(&t.stats)
	}
}

// lossCurve returns the sink's step-level loss, if it keeps one.
func (t *Trainer) lossCurve() []StepLoss {
	if lc, ok := t.Stats.(LossCurve); ok {
		return lc.LossCurve()
	}
	return nil
}

// StepLoss is the training loss at a point of the run, Epoch being
// fractional: step/StepsPerEpoch.
type StepLoss struct {
	Epoch, Loss float64
}

// SmoothWeight is the largest weight of the past in the exponential moving
// average that smooths step-level loss curves (TensorBoard's smoothing
// slider). Short curves get less: the average spans about a twentieth of
// the points (SmoothWeightFor), so that it does not lag behind a curve of a
// dozen points.
const SmoothWeight = 0.9

// SmoothWeightFor is the smoothing weight for a curve of n points.
func SmoothWeightFor(n int) float64 {
	window := float64(n) / 20
	if window <= 1 {
		return 0
	}
	return min(1-1/window, SmoothWeight)
}

// Smooth returns the debiased exponential moving average of the losses
// with weight w on the past, as TensorBoard's scalar smoothing does: the
// first values are not pulled toward zero.
func Smooth(points []StepLoss, w float64) []StepLoss {
	out := make([]StepLoss, 0, len(points))
	var avg, norm float64
	for _, p := range points {
		if math.IsNaN(p.Loss) || math.IsInf(p.Loss, 0) {
			continue
		}
		avg = w*avg + (1-w)*p.Loss
		norm = w*norm + (1 - w)
		out = append(out, StepLoss{Epoch: p.Epoch, Loss: avg / norm})
	}
	return out
}

// addSmoothed draws the smoothed step-level loss as a line without glyphs.
func addSmoothed(p *plot.Plot, points []StepLoss, c color.Color, name string) error {
	sm := Smooth(points, SmoothWeightFor(len(points)))
	xys := make(plotter.XYs, len(sm))
	for i, s := range sm {
		xys[i] = plotter.XY{X: s.Epoch, Y: s.Loss}
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	l.Color = c
	p.Add(l)
	p.Legend.Add(name+" (steps, smoothed)", l)
	return nil
}
