package race_test

import (
	"fmt"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/lab/race"
	"github.com/descent-ml/descent/optim"
)

// Adam on Rosenbrock's valley, gradients from descent's autograd.
func ExampleTrace() {
	s, _ := race.Lookup("rosenbrock")
	adam := func(params []*autograd.Var[float64]) (optim.Optimizer[float64], error) {
		c := optim.AdamDefaults()
		c.LR = 0.02
		return optim.NewAdam(params, c)
	}
	pts, _ := race.Trace(s, adam, -1.5, 2, 3000)
	end := pts[len(pts)-1]
	fmt.Printf("%d points, ends at (%.3f, %.3f)\n", len(pts), end.X, end.Y)
	// Output: 3001 points, ends at (1.000, 1.000)
}
