package train

import (
	"fmt"
	"math"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// LRFindOptions configure the learning-rate range test.
type LRFindOptions struct {
	// MinLR and MaxLR are the range swept; defaults 1e-7 and 10. The flag
	// tags are `descent lr-find`'s flags (internal/cliflag).
	MinLR     float64 `flag:"min-lr" help:"first learning rate"`
	MaxLR     float64 `flag:"max-lr" help:"last learning rate"`
	Steps     int     `flag:"steps" help:"steps (default: one epoch)"` // default one epoch
	BatchSize int     // default 128
	Seed      uint64
	Flat      bool
	// Smoothing is the weight of the exponential moving average of the
	// loss; default 0.95 (fastai uses 0.98 over longer sweeps).
	Smoothing float64
}

// LRPoint is one step of the range test.
type LRPoint struct {
	LR, Loss, Smoothed float64
}

// LRFindResult is the outcome of the range test.
type LRFindResult struct {
	Points []LRPoint
	// BaseLR is where the loss starts to fall and MaxLR where it stops
	// falling: Smith's suggested bounds for a cyclic schedule.
	BaseLR, MaxLR float64
}

// LRFind runs Smith's learning-rate range test (Leslie N. Smith, "Cyclical
// Learning Rates for Training Neural Networks", WACV 2017, arXiv:1506.01186,
// section 3.3): train from the model's current weights while the learning
// rate grows exponentially from MinLR to MaxLR, recording the loss. The
// run stops early when the smoothed loss exceeds four times its minimum.
// Smith reads the bounds off the curve: base_lr where the loss starts to
// decrease, max_lr where it stops decreasing. Here base_lr is the first
// rate at which the smoothed loss has fallen by a tenth of its total fall,
// and max_lr the rate of the lowest smoothed loss. The model's weights are
// changed by the test; build a fresh model to train afterwards.
func LRFind(model nn.Module[float32], opt optim.Optimizer[float32], ds data.Dataset, o LRFindOptions) (*LRFindResult, error) {
	if o.MinLR <= 0 {
		o.MinLR = 1e-7
	}
	if o.MaxLR <= 0 {
		o.MaxLR = 10
	}
	if !(o.MaxLR > o.MinLR) {
		return nil, fmt.Errorf("train: lr-find: max lr %g must exceed min lr %g", o.MaxLR, o.MinLR)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 128
	}
	if o.Smoothing <= 0 || o.Smoothing >= 1 {
		o.Smoothing = 0.95
	}
	loader, err := data.NewLoader[float32](ds, data.LoaderOptions{BatchSize: o.BatchSize, Flat: o.Flat}, tensor.NewRand(o.Seed))
	if err != nil {
		return nil, fmt.Errorf("train: lr-find: %w", err)
	}
	if o.Steps <= 0 {
		o.Steps = loader.Len()
	}
	g := autograd.New[float32]()
	x := autograd.NewConstant(tensor.New[float32](0))
	res := &LRFindResult{}
	growth := math.Pow(o.MaxLR/o.MinLR, 1/float64(max(o.Steps-1, 1)))
	var avg float64
	best := math.Inf(1)
	for step := 0; step < o.Steps; step++ {
		b := loader.Batch(step/loader.Len(), step%loader.Len())
		lr := o.MinLR * math.Pow(growth, float64(step))
		for _, grp := range opt.Groups() {
			grp.LR = lr
		}
		x.Value = b.X
		loss := g.CrossEntropy(model.Forward(g, x), b.Labels)
		l := float64(loss.Value.Item())
		if math.IsNaN(l) || math.IsInf(l, 0) {
			break
		}
		opt.ZeroGrad()
		g.Backward(loss)
		opt.Step()
		avg = o.Smoothing*avg + (1-o.Smoothing)*l
		smoothed := avg / (1 - math.Pow(o.Smoothing, float64(step+1)))
		res.Points = append(res.Points, LRPoint{LR: lr, Loss: l, Smoothed: smoothed})
		best = math.Min(best, smoothed)
		if step > 10 && smoothed > 4*best {
			break
		}
	}
	if o.Steps < 3 {
		return nil, &SweepError{Steps: o.Steps}
	}
	if len(res.Points) < 3 {
		return nil, &SweepError{Steps: len(res.Points), Diverged: true}
	}
	first := res.Points[0].Smoothed
	iMin := 0
	for i, p := range res.Points {
		if p.Smoothed < res.Points[iMin].Smoothed {
			iMin = i
		}
	}
	res.MaxLR = res.Points[iMin].LR
	res.BaseLR = res.Points[0].LR
	for _, p := range res.Points[:iMin+1] {
		if first-p.Smoothed >= 0.1*(first-res.Points[iMin].Smoothed) {
			res.BaseLR = p.LR
			break
		}
	}
	return res, nil
}

// PlotLRFind draws the loss against the learning rate on a log axis, with
// the suggested bounds marked.
func PlotLRFind(path string, r *LRFindResult) error {
	p := plot.New()
	p.Title.Text = "learning-rate range test (Smith 2017)"
	p.X.Label.Text = "learning rate (log scale)"
	p.Y.Label.Text = "training loss"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: 1}
	raw, smooth := make(plotter.XYs, len(r.Points)), make(plotter.XYs, len(r.Points))
	for i, pt := range r.Points {
		raw[i] = plotter.XY{X: pt.LR, Y: pt.Loss}
		smooth[i] = plotter.XY{X: pt.LR, Y: pt.Smoothed}
	}
	lr, err := plotter.NewLine(raw)
	if err != nil {
		return err
	}
	lr.Color = Color(7)
	ls, err := plotter.NewLine(smooth)
	if err != nil {
		return err
	}
	ls.Color, ls.Width = Color(0), vg.Points(2)
	p.Add(lr, ls)
	p.Legend.Add("loss", lr)
	p.Legend.Add("smoothed loss", ls)
	// The loss explodes at the end of the sweep; keep the interesting part.
	lo, hi := 0.0, 1.5*r.Points[0].Smoothed
	p.Y.Min, p.Y.Max = lo, hi
	p.Legend.Top, p.Legend.Left = true, true
	for i, m := range []struct {
		name string
		x    float64
	}{{fmt.Sprintf("base_lr %.3g", r.BaseLR), r.BaseLR}, {fmt.Sprintf("max_lr %.3g", r.MaxLR), r.MaxLR}} {
		l, err := plotter.NewLine(plotter.XYs{{X: m.x, Y: lo}, {X: m.x, Y: hi}})
		if err != nil {
			return err
		}
		l.Color, l.Dashes = Color(2+i), []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
		p.Legend.Add(m.name, l)
	}
	return p.Save(8*vg.Inch, 5*vg.Inch, path)
}

// SweepError is LRFind's sweep that cannot be read: too short (under 3
// steps), or Diverged after Steps steps.
type SweepError struct {
	Steps    int
	Diverged bool
}

// Problem says what is wrong, without the cure.
func (e *SweepError) Problem() string {
	if e.Diverged {
		return fmt.Sprintf("the loss diverged after %d steps", e.Steps)
	}
	return fmt.Sprintf("a sweep of %d steps is too short to read; want at least 3", e.Steps)
}

func (e *SweepError) Error() string {
	if e.Diverged {
		return "train: lr-find: " + e.Problem() + "; lower MinLR"
	}
	return "train: lr-find: " + e.Problem() + " (more Steps, or a smaller BatchSize)"
}
