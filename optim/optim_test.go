package optim_test

import (
	"math"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// allOptimizers lists every optimizer with settings that converge on the
// test problems below; the same table drives the convergence, allocation
// and resume tests.
var allOptimizers = []struct {
	name     string
	settings map[string]string
}{
	{"sgd", map[string]string{"lr": "0.001", "momentum": "0.9"}},
	{"sgd", map[string]string{"lr": "0.001", "momentum": "0.9", "nesterov": "true"}},
	{"adagrad", map[string]string{"lr": "0.5"}},
	{"rmsprop", map[string]string{"lr": "0.001", "momentum": "0.5", "centered": "true"}},
	{"adadelta", map[string]string{"lr": "0.1"}},
	{"adam", map[string]string{"lr": "0.01", "amsgrad": "true"}},
	{"adamw", map[string]string{"lr": "0.01", "weight_decay": "0"}},
	{"adamax", map[string]string{"lr": "0.01"}},
	{"nadam", map[string]string{"lr": "0.01"}},
	{"radam", map[string]string{"lr": "0.001"}}, // its first, unrectified steps are lr*g
	{"lookahead", map[string]string{"inner": "adam", "lr": "0.02", "k": "5", "alpha": "0.5"}},
}

// step1D runs steps of opt on f(w) = w*w (gradient 2w) through autograd
// and returns w after each step.
func step1D(t *testing.T, name string, settings map[string]string, w0 float64, steps int) []float64 {
	t.Helper()
	w := vecParam("w", w0)
	opt, err := newOptimizer(name, []*autograd.Var[float64]{w}, settings)
	if err != nil {
		t.Fatal(err)
	}
	g := autograd.New[float64]()
	var out []float64
	for range steps {
		opt.ZeroGrad()
		g.Backward(g.Sum(g.Mul(w, w)))
		opt.Step()
		out = append(out, w.Value.Data()[0])
	}
	return out
}

// TestFirstStepsByHand checks the first steps of each optimizer on
// f(w) = w², gradient g = 2w, from w = 1, against values worked out by
// hand (eps neglected where it changes nothing at 1e-9).
func TestFirstStepsByHand(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]string
		want     []float64
	}{
		// w -= 0.1*2w: 1 -> 0.8 -> 0.64.
		{"sgd", map[string]string{"lr": "0.1"}, []float64{0.8, 0.64}},
		// b = g = 2 (first step: no dampening), w = 1 - 0.2 = 0.8;
		// g = 1.6, b = 0.9*2 + 1.6 = 3.4, w = 0.8 - 0.34 = 0.46.
		{"sgd", map[string]string{"lr": "0.1", "momentum": "0.9"}, []float64{0.8, 0.46}},
		// dampening 0.5 spares the first step: b = 2, w = 0.8; then
		// b = 0.9*2 + 0.5*1.6 = 2.6, w = 0.8 - 0.26 = 0.54.
		{"sgd", map[string]string{"lr": "0.1", "momentum": "0.9", "dampening": "0.5"}, []float64{0.8, 0.54}},
		// b = 2, d = 2 + 0.9*2 = 3.8, w = 1 - 0.38 = 0.62; g = 1.24,
		// b = 1.8 + 1.24 = 3.04, d = 1.24 + 0.9*3.04 = 3.976, w = 0.2224.
		{"sgd", map[string]string{"lr": "0.1", "momentum": "0.9", "nesterov": "true"}, []float64{0.62, 0.2224}},
		// weight decay 0.5 adds 0.5w: g = 2.5, w = 1 - 0.25 = 0.75.
		{"sgd", map[string]string{"lr": "0.1", "weight_decay": "0.5"}, []float64{0.75}},
		// maximize climbs: w = 1 + 0.2 = 1.2.
		{"sgd", map[string]string{"lr": "0.1", "maximize": "true"}, []float64{1.2}},
		// G = 4, w = 1 - 0.1*2/2 = 0.9; g = 1.8, G = 7.24,
		// w = 0.9 - 0.18/sqrt(7.24) = 0.833103526837755.
		{"adagrad", map[string]string{"lr": "0.1"}, []float64{0.9, 0.833103526837755}},
		// lr_decay 1 halves the second step: 0.9 - 0.05*1.8/sqrt(7.24).
		{"adagrad", map[string]string{"lr": "0.1", "lr_decay": "1"}, []float64{0.9, 0.8665517634188775}},
		// G = 0.01*4 = 0.04, w = 1 - 0.01*2/(0.2 + eps) = 0.9 + 1e-8/2.
		{"rmsprop", map[string]string{"lr": "0.01"}, []float64{1 - 0.02/(0.2+1e-8)}},
		// G = 0.1*4 = 0.4, delta = sqrt(1e-6)/sqrt(0.4 + 1e-6)*2, w = 1 - delta.
		{"adadelta", map[string]string{}, []float64{0.9968377262926713}},
		// m^ = 2, v^ = 4: the first Adam step is lr*sign(g): w = 0.9.
		// g = 1.8, m = 0.36, v = 0.007236, m^ = 0.36/0.19, v^ = 0.007236/0.001999,
		// w = 0.9 - 0.1*1.894737/1.902580 = 0.8004122.
		{"adam", map[string]string{"lr": "0.1"}, []float64{0.9, 0.8004122281946831}},
		// AdamW first shrinks w by 1 - 0.1*0.1: 0.99, then the Adam step: 0.89.
		{"adamw", map[string]string{"lr": "0.1", "weight_decay": "0.1"}, []float64{0.89}},
		// m = 0.2, u = 2, clr = 0.1/0.1: w = 1 - 0.2/2 = 0.9; g = 1.8, m = 0.36,
		// u = max(0.999*2, 1.8) = 1.998, w = 0.9 - (0.1/0.19)*0.36/1.998.
		{"adamax", map[string]string{"lr": "0.1"}, []float64{0.9, 0.8051683262209578}},
		// mu1 = 0.9(1 - 0.5*0.96^0.004) = 0.450073, mu2 = 0.450147; m = 0.2,
		// d = sqrt(0.004/0.001) = 2: w = 1 - 0.1*(1-mu1)/(1-mu1)*2/2
		// - 0.1*mu2/(1 - mu1*mu2)*0.2/2 = 1 - 0.1 - 0.0056452 = 0.8943548.
		{"nadam", map[string]string{"lr": "0.1"}, []float64{0.8943548226926871}},
		// rho_inf = 1999; rho_1 = 1999 - 2*0.999/0.001 = 1 and rho_2 = 2.0:
		// not rectified, plain momentum steps: w = 1 - 0.1*2 = 0.8;
		// m = 0.9*0.2 + 0.1*1.6 = 0.34, w = 0.8 - 0.1*0.34/0.19 = 0.6210526.
		{"radam", map[string]string{"lr": "0.1"}, []float64{0.8, 0.6210526315789474}},
		// SGD 1 -> 0.8 -> 0.64, sync: 1 + 0.5*(0.64-1) = 0.82 -> 0.656
		// -> 0.5248, sync: 0.82 + 0.5*(0.5248-0.82) = 0.6724.
		{"lookahead", map[string]string{"inner": "sgd", "lr": "0.1", "k": "2", "alpha": "0.5"},
			[]float64{0.8, 0.82, 0.656, 0.6724}},
	}
	for _, tt := range tests {
		got := step1D(t, tt.name, tt.settings, 1, len(tt.want))
		for i, w := range tt.want {
			if math.Abs(got[i]-w) > 1e-9 {
				t.Errorf("%s %v: step %d: w = %.16g, by hand %.16g", tt.name, tt.settings, i+1, got[i], w)
			}
		}
	}
}

// surface is a 2-D test function of two scalar parameters.
type surface func(g *autograd.Graph[float64], x, y *autograd.Var[float64]) *autograd.Var[float64]

var (
	cOne     = autograd.NewConstant(tensor.Scalar(1.0))
	cHundred = autograd.NewConstant(tensor.Scalar(100.0))
	cTenth   = autograd.NewConstant(tensor.Scalar(0.1))
)

// rosenbrock is (1-x)² + 100(y-x²)², minimum 0 at (1, 1).
func rosenbrock(g *autograd.Graph[float64], x, y *autograd.Var[float64]) *autograd.Var[float64] {
	a := g.Sub(cOne, x)
	b := g.Sub(y, g.Mul(x, x))
	return g.Sum(g.Add(g.Mul(a, a), g.Mul(cHundred, g.Mul(b, b))))
}

// parabola is x² + 0.1y², minimum 0 at (0, 0).
func parabola(g *autograd.Graph[float64], x, y *autograd.Var[float64]) *autograd.Var[float64] {
	return g.Sum(g.Add(g.Mul(x, x), g.Mul(cTenth, g.Mul(y, y))))
}

// minimize runs steps of the named optimizer on f from (x0, y0) and
// returns the final point.
func minimize(t *testing.T, name string, settings map[string]string, f surface, x0, y0 float64, steps int) (float64, float64) {
	t.Helper()
	x, y := vecParam("x", x0), vecParam("y", y0)
	opt, err := newOptimizer(name, []*autograd.Var[float64]{x, y}, settings)
	if err != nil {
		t.Fatal(err)
	}
	g := autograd.New[float64]()
	for range steps {
		opt.ZeroGrad()
		g.Backward(f(g, x, y))
		opt.Step()
	}
	return x.Value.Data()[0], y.Value.Data()[0]
}

// TestConverges runs every optimizer on a parabola and on Rosenbrock's
// valley (optax's table test): each must end near the minimum.
func TestConverges(t *testing.T) {
	const steps = 10000 // about 0.1 s for the whole table
	problems := []struct {
		name       string
		f          surface
		x0, y0     float64
		minX, minY float64
		tol        float64
	}{
		{"parabola", parabola, 1.5, -2, 0, 0, 1e-3},
		{"rosenbrock", rosenbrock, -1.2, 1, 1, 1, 5e-2},
	}
	for _, p := range problems {
		for _, o := range allOptimizers {
			x, y := minimize(t, o.name, o.settings, p.f, p.x0, p.y0, steps)
			if d := math.Hypot(x-p.minX, y-p.minY); !(d < p.tol) {
				t.Errorf("%s on %s: ended at (%.4g, %.4g), %.3g from the minimum (want < %g)", o.name, p.name, x, y, d, p.tol)
			}
		}
	}
}

// TestMomentumReadsWhatWasSet: every optimizer a momentum schedule can
// drive reports the value in use (the dashboard's momentum chart reads it).
func TestMomentumReadsWhatWasSet(t *testing.T) {
	for _, o := range allOptimizers {
		opt, err := newOptimizer(o.name, []*autograd.Var[float64]{vecParam("w", 1)}, o.settings)
		if err != nil {
			t.Fatal(err)
		}
		ms, ok := opt.(optim.MomentumSetter)
		if !ok {
			continue
		}
		ms.SetMomentum(0.87)
		if got := ms.Momentum(); got != 0.87 {
			t.Errorf("%s: Momentum() = %v after SetMomentum(0.87)", o.name, got)
		}
	}
}
