// Package race runs optimizers on the lecture's 2-D test surfaces and
// draws the race: contour plots with one path per optimizer (PNG) and
// animations in which the paths grow step by step (GIF), as on the
// lecture's slide after ruder.io/optimizing-gradient-descent.
//
// The surfaces are built from the project's own autograd ops on two
// float64 parameters, so the gradients the optimizers follow are the
// ones descent computes, and the optimizers are the float64
// instantiations of the same code that trains networks in float32.
package race

import (
	"fmt"
	"math"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// Surface is a 2-D test function f(x, y).
type Surface struct {
	Name    string
	Formula string
	// F records f(x, y) on g; x and y are scalars (shape [1]).
	F func(g *autograd.Graph[float64], x, y *autograd.Var[float64]) *autograd.Var[float64]
	// Minima are the global minima (for saddle, the saddle point), marked
	// on plots.
	Minima [][2]float64
	// Start is a customary starting point.
	Start [2]float64
	// Window is the plotted region: xmin, xmax, ymin, ymax.
	Window [4]float64
	// LogLevels draws contours of log(1 + f - min f), for surfaces whose
	// values span many orders of magnitude.
	LogLevels bool
}

func sq(g *autograd.Graph[float64], v *autograd.Var[float64]) *autograd.Var[float64] {
	return g.Mul(v, v)
}

// Surfaces are the test functions of `descent trace`.
var Surfaces = []Surface{
	{
		Name: "rosenbrock", Formula: "(1-x)^2 + 100(y-x^2)^2",
		F: func(g *autograd.Graph[float64], x, y *autograd.Var[float64]) *autograd.Var[float64] {
			return g.Add(sq(g, g.AddScalar(g.Neg(x), 1)), g.MulScalar(sq(g, g.Sub(y, sq(g, x))), 100))
		},
		Minima: [][2]float64{{1, 1}}, Start: [2]float64{-1.5, 2}, Window: [4]float64{-2, 2, -1, 3}, LogLevels: true,
	},
	{
		Name: "beale", Formula: "(1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2",
		F: func(g *autograd.Graph[float64], x, y *autograd.Var[float64]) *autograd.Var[float64] {
			term := func(c float64, yk *autograd.Var[float64]) *autograd.Var[float64] {
				return sq(g, g.AddScalar(g.Sub(g.Mul(x, yk), x), c))
			}
			y2 := g.Mul(y, y)
			return g.Add(g.Add(term(1.5, y), term(2.25, y2)), term(2.625, g.Mul(y2, y)))
		},
		Minima: [][2]float64{{3, 0.5}}, Start: [2]float64{1, 1.5}, Window: [4]float64{-4.5, 4.5, -4.5, 4.5}, LogLevels: true,
	},
	{
		Name: "himmelblau", Formula: "(x^2+y-11)^2 + (x+y^2-7)^2",
		F: func(g *autograd.Graph[float64], x, y *autograd.Var[float64]) *autograd.Var[float64] {
			return g.Add(sq(g, g.AddScalar(g.Add(sq(g, x), y), -11)), sq(g, g.AddScalar(g.Add(x, sq(g, y)), -7)))
		},
		Minima: [][2]float64{{3, 2}, {-2.805118, 3.131312}, {-3.779310, -3.283186}, {3.584428, -1.848126}},
		Start:  [2]float64{0, 0}, Window: [4]float64{-5, 5, -5, 5}, LogLevels: true,
	},
	{
		Name: "saddle", Formula: "x^2 - y^2",
		F: func(g *autograd.Graph[float64], x, y *autograd.Var[float64]) *autograd.Var[float64] {
			return g.Sub(sq(g, x), sq(g, y))
		},
		Minima: [][2]float64{{0, 0}}, Start: [2]float64{1, 1e-3}, Window: [4]float64{-1.5, 1.5, -1.5, 1.5},
	},
	{
		Name: "bowl", Formula: "0.05x^2 + y^2",
		F: func(g *autograd.Graph[float64], x, y *autograd.Var[float64]) *autograd.Var[float64] {
			return g.Add(g.MulScalar(sq(g, x), 0.05), sq(g, y))
		},
		Minima: [][2]float64{{0, 0}}, Start: [2]float64{-8, 2}, Window: [4]float64{-10, 10, -4, 4},
	},
}

// Names returns the surfaces' names.
func Names() []string {
	var names []string
	for _, s := range Surfaces {
		names = append(names, s.Name)
	}
	return names
}

// Lookup returns the surface called name.
func Lookup(name string) (*Surface, error) {
	for i := range Surfaces {
		if Surfaces[i].Name == name {
			return &Surfaces[i], nil
		}
	}
	return nil, fmt.Errorf("unknown function %q; valid functions: %s", name, strings.Join(Names(), ", "))
}

// Value returns f(x, y), computed with autograd without recording.
func (s *Surface) Value(x, y float64) float64 {
	g := autograd.New[float64]()
	var v float64
	g.NoGrad(func() {
		v = s.F(g, scalar(x), scalar(y)).Value.Data()[0]
	})
	return v
}

func scalar(v float64) *autograd.Var[float64] {
	return autograd.NewConstant(tensor.FromSlice([]float64{v}, 1))
}

// Point is one row of a trajectory: the parameters after a step and the
// function's value there.
type Point struct{ X, Y, F float64 }

// Path is one optimizer's trajectory.
type Path struct {
	Label  string
	Points []Point
}

// NewOptimizer builds an optimizer over the two parameters x and y.
type NewOptimizer func(params []*autograd.Var[float64]) (optim.Optimizer[float64], error)

// MaxSteps bounds Trace's steps: every point is kept.
const MaxSteps = 10_000_000

// Trace runs the optimizer that newOpt builds for steps steps (at most
// MaxSteps) from
// (x0, y0) and returns steps+1 points, the first being the start. The
// x, y after each step are the parameters the optimizer holds (for
// Lookahead, the fast weights, after the sync on sync steps). A run that
// diverges keeps going, as PyTorch's would; its points become infinite or
// NaN.
func Trace(s *Surface, newOpt NewOptimizer, x0, y0 float64, steps int) ([]Point, error) {
	if steps < 0 || steps > MaxSteps {
		return nil, fmt.Errorf("race: %d steps; want 0 to %d", steps, MaxSteps)
	}
	x := autograd.NewParam(tensor.FromSlice([]float64{x0}, 1), "x")
	y := autograd.NewParam(tensor.FromSlice([]float64{y0}, 1), "y")
	opt, err := newOpt([]*autograd.Var[float64]{x, y})
	if err != nil {
		return nil, err
	}
	g := autograd.New[float64]()
	pts := make([]Point, 0, steps+1)
	for i := 0; ; i++ {
		opt.ZeroGrad()
		f := s.F(g, x, y)
		pts = append(pts, Point{x.Value.Data()[0], y.Value.Data()[0], f.Value.Data()[0]})
		if i == steps {
			break
		}
		g.Backward(f)
		opt.Step()
	}
	return pts, nil
}

// Diverged returns the index of the first non-finite point, or -1.
func Diverged(pts []Point) int {
	for i, p := range pts {
		if math.IsNaN(p.X+p.Y+p.F) || math.IsInf(p.X+p.Y+p.F, 0) {
			return i
		}
	}
	return -1
}

// ProbeParam returns a throwaway scalar parameter, for checking an
// optimizer's settings before a run.
func ProbeParam() *autograd.Var[float64] {
	return autograd.NewParam(tensor.FromSlice([]float64{0}, 1), "probe")
}
