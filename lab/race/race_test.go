package race_test

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/autograd/gradcheck"
	"github.com/descent-ml/descent/lab/race"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// formulas are the definitions in plain Go, to check the autograd
// versions against.
var formulas = map[string]func(x, y float64) float64{
	"rosenbrock": func(x, y float64) float64 { return (1-x)*(1-x) + 100*(y-x*x)*(y-x*x) },
	"beale": func(x, y float64) float64 {
		return math.Pow(1.5-x+x*y, 2) + math.Pow(2.25-x+x*y*y, 2) + math.Pow(2.625-x+x*y*y*y, 2)
	},
	"himmelblau": func(x, y float64) float64 { return math.Pow(x*x+y-11, 2) + math.Pow(x+y*y-7, 2) },
	"saddle":     func(x, y float64) float64 { return x*x - y*y },
	"bowl":       func(x, y float64) float64 { return 0.05*x*x + y*y },
}

// TestSurfaces: each surface computes its formula, its gradient passes the
// finite-difference check, and its minima are minima (saddle: a
// stationary point).
func TestSurfaces(t *testing.T) {
	points := [][2]float64{{-1.3, 0.7}, {0.4, -2.1}, {2.5, 1.5}}
	for i := range race.Surfaces {
		s := &race.Surfaces[i]
		for _, p := range points {
			want := formulas[s.Name](p[0], p[1])
			if got := s.Value(p[0], p[1]); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Errorf("%s(%v) = %v, formula %v", s.Name, p, got, want)
			}
			x := autograd.NewParam(tensor.FromSlice([]float64{p[0]}, 1), "x")
			y := autograd.NewParam(tensor.FromSlice([]float64{p[1]}, 1), "y")
			f := func(g *autograd.Graph[float64], in []*autograd.Var[float64]) *autograd.Var[float64] {
				return s.F(g, in[0], in[1])
			}
			if _, err := gradcheck.Check(f, []*autograd.Var[float64]{x, y}, nil); err != nil {
				t.Errorf("%s at %v: %v", s.Name, p, err)
			}
		}
		for _, m := range s.Minima {
			if v := s.Value(m[0], m[1]); math.Abs(v) > 1e-8 {
				t.Errorf("%s: f at the minimum %v is %v, want 0", s.Name, m, v)
			}
		}
	}
}

// TestTrace: steps+1 points starting at the start, following the
// optimizer (SGD on the bowl: y shrinks by 1 - 2*lr per step).
func TestTrace(t *testing.T) {
	s, err := race.Lookup("bowl")
	if err != nil {
		t.Fatal(err)
	}
	sgd := func(params []*autograd.Var[float64]) (optim.Optimizer[float64], error) {
		return optim.NewSGD(params, optim.SGDConfig{LR: 0.1})
	}
	pts, err := race.Trace(s, sgd, -8, 2, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 6 || pts[0] != (race.Point{X: -8, Y: 2, F: 0.05*64 + 4}) {
		t.Fatalf("trace %v", pts)
	}
	for i, p := range pts {
		// dy = 2y: y <- 0.8y; dx = 0.1x: x <- 0.99x.
		if wantY := 2 * math.Pow(0.8, float64(i)); math.Abs(p.Y-wantY) > 1e-12 {
			t.Errorf("step %d: y = %v, want %v", i, p.Y, wantY)
		}
		if wantX := -8 * math.Pow(0.99, float64(i)); math.Abs(p.X-wantX) > 1e-12 {
			t.Errorf("step %d: x = %v, want %v", i, p.X, wantX)
		}
	}
	if _, err := race.Lookup("sphere"); err == nil {
		t.Error("unknown function accepted")
	}
}

// TestSave draws a small race as PNG (and GIF without -short).
func TestSave(t *testing.T) {
	s, _ := race.Lookup("rosenbrock")
	adam := func(params []*autograd.Var[float64]) (optim.Optimizer[float64], error) {
		c := optim.AdamDefaults()
		c.LR = 0.05
		return optim.NewAdam(params, c)
	}
	pts, err := race.Trace(s, adam, -1.5, 2, 20)
	if err != nil {
		t.Fatal(err)
	}
	diverged := []race.Point{{X: 0, Y: 0, F: 1}, {X: math.Inf(1), Y: 0, F: math.NaN()}}
	paths := []race.Path{{Label: "adam", Points: pts}, {Label: "diverged", Points: diverged}}
	exts := []string{".png", ".gif"}
	if testing.Short() {
		exts = exts[:1]
	}
	for _, ext := range exts {
		path := filepath.Join(t.TempDir(), "race"+ext)
		if err := race.Save(path, s, paths); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(path); err != nil || st.Size() < 1000 {
			t.Errorf("%s not written: %v", path, err)
		}
	}
	if err := race.Save(filepath.Join(t.TempDir(), "race.svg"), s, paths); err == nil {
		t.Error("race.svg accepted")
	}
}
