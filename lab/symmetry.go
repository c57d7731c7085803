package lab

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/tensor"
)

// The lecture's first warning: never initialize with zeros (or any
// constant). Units of a layer that start equal compute the same output,
// receive the same gradient and take the same step, so they stay equal for
// ever: the layer behaves as one unit, however wide. Symmetry trains the
// same small MLP from several initializers and counts, per hidden layer,
// how many distinct units remain.

// SymmetryConfig describes the task and the network. The task: Samples
// points in the plane at radius r ~ U(0, 2), class 1 outside the unit
// circle, class 0 inside; it is balanced and no function of a single
// linear feature solves it, so a net whose layers have collapsed to one
// unit cannot either. The net is 2 -> Hidden... -> 2 with Act after each
// hidden layer, trained on the whole set by plain gradient descent
// (p -= LR·grad) on the cross-entropy for Steps steps. The flag tags are
// `descent lab symmetry`'s flags (internal/cliflag).
type SymmetryConfig struct {
	Inits   []NamedInit // weight initializers; every bias starts at 0
	Hidden  []int
	Act     string  `flag:"act" help:"activation" choices:"linear,relu,leaky_relu,tanh,sigmoid,gelu"` // one of Activations
	Samples int     `flag:"samples" help:"training points" range:"2,1000000"`
	Steps   int     `flag:"steps" help:"full-batch gradient steps" range:"0,10000000"`
	LR      float64 `flag:"lr" help:"learning rate of p -= lr·grad"`
	Seed    uint64  `flag:"seed" help:"random seed (data, then weights)"`
}

// SymmetryResult is one initializer's run.
type SymmetryResult struct {
	Init     string
	Units    []int     // width of each hidden layer
	Distinct []int     // distinct units of each hidden layer at the end
	Accuracy float64   // on the training set, at the end
	Loss     []float64 // the training loss before each step, and at the end
}

// DefaultSymmetry is what `descent lab symmetry` runs by default.
var DefaultSymmetry = SymmetryConfig{
	Inits: []NamedInit{{"zeros", initializer.Zeros{}}, {"constant(val=0.5)", initializer.Constant{Val: 0.5}},
		{"kaiming_normal(nonlinearity=relu)", initializer.KaimingNormal{Nonlinearity: "relu"}}},
	Hidden: []int{16, 16}, Act: "relu", Samples: 256, Steps: 2000, LR: 0.2, Seed: 1,
}

func (c SymmetryConfig) check() error {
	if len(c.Inits) == 0 {
		return fmt.Errorf("lab: symmetry needs at least one initializer")
	}
	if len(c.Hidden) == 0 {
		return fmt.Errorf("lab: symmetry needs at least one hidden layer")
	}
	for _, h := range c.Hidden {
		if h < 1 {
			return fmt.Errorf("lab: hidden widths must be >= 1, got %v", c.Hidden)
		}
	}
	if c.Samples < 2 || c.Steps < 0 || !(c.LR > 0) {
		return fmt.Errorf("lab: symmetry needs samples >= 2, steps >= 0 and lr > 0, got %d, %d, %g", c.Samples, c.Steps, c.LR)
	}
	return checkActivation(c.Act)
}

// rings draws the task from rng.
func rings(rng interface {
	Float64() float64
}, n int) (*tensor.Tensor[float64], []int) {
	x := tensor.New[float64](n, 2)
	y := make([]int, n)
	for i := range n {
		r, theta := 2*rng.Float64(), 2*math.Pi*rng.Float64()
		x.Set(r*math.Cos(theta), i, 0)
		x.Set(r*math.Sin(theta), i, 1)
		if r > 1 {
			y[i] = 1
		}
	}
	return x, y
}

// Symmetry trains one network per initializer. Every run sees the same
// data (drawn first from Seed).
func Symmetry(cfg SymmetryConfig) ([]SymmetryResult, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	var out []SymmetryResult
	for _, ni := range cfg.Inits {
		rng := tensor.NewRand(cfg.Seed)
		x, y := rings(rng, cfg.Samples)
		var layers []nn.Module[float64]
		var linears []*nn.Linear[float64]
		in := 2
		for _, h := range append(append([]int(nil), cfg.Hidden...), 2) {
			l, err := nn.NewLinear[float64](rng, in, h, nn.LinearOptions{WeightInit: ni.Init, BiasInit: initializer.Zeros{}})
			if err != nil {
				return nil, fmt.Errorf("lab: %s: %w", ni.Label, err)
			}
			act, err := nn.NewActivation[float64](cfg.Act)
			if err != nil {
				return nil, err
			}
			layers, linears, in = append(layers, l, act), append(linears, l), h
		}
		model := nn.NewSequential(layers[:len(layers)-1]...) // no activation on the logits
		res := SymmetryResult{Init: ni.Label}
		train(model, x, y, cfg, &res)
		for _, l := range linears[:len(linears)-1] {
			res.Units = append(res.Units, l.Weight.Value.Dim(0))
			res.Distinct = append(res.Distinct, distinctUnits(l))
		}
		out = append(out, res)
	}
	return out, nil
}

// train runs full-batch gradient descent and records loss and accuracy.
func train(model nn.Module[float64], x *tensor.Tensor[float64], y []int, cfg SymmetryConfig, res *SymmetryResult) {
	g := autograd.New[float64]()
	xv := autograd.NewConstant(x)
	pred := make([]int, len(y))
	for step := 0; ; step++ {
		logits := model.Forward(g, xv)
		loss := g.CrossEntropy(logits, y)
		res.Loss = append(res.Loss, loss.Value.Item())
		if step == cfg.Steps {
			tensor.ArgMaxRows(logits.Value, pred)
			correct := 0
			for i, p := range pred {
				if p == y[i] {
					correct++
				}
			}
			res.Accuracy = float64(correct) / float64(len(y))
			g.Reset()
			return
		}
		nn.ZeroGrad(model)
		g.Backward(loss)
		for _, p := range model.Parameters() {
			w, d := p.Value.Data(), p.Grad.Data()
			for i := range w {
				w[i] -= cfg.LR * d[i]
			}
		}
	}
}

// distinctUnits counts the units of l that differ from one another: two
// units are the same when their incoming weights and biases agree to
// within 1e-9 of the layer's largest weight (copies made by symmetric
// training agree to rounding, if not exactly).
func distinctUnits(l *nn.Linear[float64]) int {
	w, b := l.Weight.Value, l.Bias.Value.Data()
	out, in := w.Dim(0), w.Dim(1)
	var scale float64
	for _, v := range w.Data() {
		scale = max(scale, math.Abs(v))
	}
	tol := 1e-9 * max(scale, 1)
	var reps []int
	for i := range out {
		same := false
		for _, j := range reps {
			d := math.Abs(b[i] - b[j])
			for k := range in {
				d = max(d, math.Abs(w.At(i, k)-w.At(j, k)))
			}
			if d <= tol {
				same = true
				break
			}
		}
		if !same {
			reps = append(reps, i)
		}
	}
	return len(reps)
}

// WriteSymmetryCSV writes one row per initializer and hidden layer:
// init,layer,units,distinct_units,accuracy,final_loss.
func WriteSymmetryCSV(w io.Writer, results []SymmetryResult) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"init", "layer", "units", "distinct_units", "accuracy", "final_loss"})
	for _, r := range results {
		for l := range r.Units {
			cw.Write([]string{r.Init, strconv.Itoa(l + 1), strconv.Itoa(r.Units[l]), strconv.Itoa(r.Distinct[l]),
				formatFloat(r.Accuracy), formatFloat(r.Loss[len(r.Loss)-1])})
		}
	}
	cw.Flush()
	return cw.Error()
}

// PlotSymmetry draws the training loss of each run and its distinct units
// per hidden layer.
func PlotSymmetry(path string, cfg SymmetryConfig, results []SymmetryResult) error {
	var loss, units []Series
	for _, r := range results {
		label := fmt.Sprintf("%s (accuracy %.2f)", r.Init, r.Accuracy)
		s := Series{Label: label}
		for i, v := range r.Loss {
			s.X, s.Y = append(s.X, float64(i)), append(s.Y, v)
		}
		u := Series{Label: r.Init}
		for l, d := range r.Distinct {
			u.X, u.Y = append(u.X, float64(l+1)), append(u.Y, float64(d))
		}
		loss, units = append(loss, s), append(units, u)
	}
	return SavePanels(path,
		Panel{Title: fmt.Sprintf("training loss, 2-%v-2 %s MLP on rings, seed %d", cfg.Hidden, cfg.Act, cfg.Seed),
			XLabel: "gradient step", YLabel: "cross-entropy (log)", LogY: true, Series: loss},
		Panel{Title: "distinct units left after training", XLabel: "hidden layer", YLabel: "distinct units", YFromZero: true, Series: units})
}
