package race_test

import (
	"fmt"
	"os"

	"github.com/descent-ml/descent/internal/kv"

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

// Share "lr=0.1,beta1=0.8,sgd.momentum=0.5" among a race of SGD and Adam:
// lr goes to both, beta1 to Adam (SGD has none), momentum to SGD alone.
func ExampleSplitSettings() {
	pairs, _ := kv.Split("lr=0.1,beta1=0.8,sgd.momentum=0.5")
	own, err := race.SplitSettings([]string{"sgd", "adam"}, pairs)
	fmt.Println(own, err)
	_, err = race.SplitSettings([]string{"sgd", "adam"}, []kv.Pair{{Key: "rho", Value: "0.9"}})
	fmt.Println(err)
	// Output:
	// [[{lr 0.1} {momentum 0.5}] [{lr 0.1} {beta1 0.8}]] <nil>
	// race: no optimizer of sgd,adam takes "rho"
}

// Two steps of SGD (lr 0.1) on the bowl f = 0.05x² + y² from (1, 1), as
// `descent trace` prints them: the gradient (0.1x, 2y) moves x by 1% and y
// by 20% a step.
func ExampleWriteCSV() {
	s, _ := race.Lookup("bowl")
	sgd := func(params []*autograd.Var[float64]) (optim.Optimizer[float64], error) {
		return optim.New("sgd", params, "lr=0.1")
	}
	pts, _ := race.Trace(s, sgd, 1, 1, 2)
	race.WriteCSV(os.Stdout, []string{"sgd"}, []race.Path{{Label: "sgd", Points: pts}})
	// Output:
	// step,x,y,f
	// 0,1,1,1.05
	// 1,0.99,0.8,0.6890050000000001
	// 2,0.9801,0.64,0.4576298005
}

// One learning rate for a race of three, or one each; none leaves each
// optimizer its default (NaN).
func ExampleRates() {
	fmt.Println(race.Rates([]float64{0.1}, 3))
	fmt.Println(race.Rates([]float64{0.1, 0.2, 0.3}, 3))
	fmt.Println(race.Rates(nil, 2))
	fmt.Println(race.Rates([]float64{0.1, 0.2}, 3))
	// Output:
	// [0.1 0.1 0.1] <nil>
	// [0.1 0.2 0.3] <nil>
	// [NaN NaN] <nil>
	// [] race: 2 learning rates for 3 optimizers; give one, or one per optimizer
}

// A race of SGD and Adam on Rosenbrock's valley: each gets its own
// learning rate, and momentum=0.9 goes to SGD alone (Adam has none).
func ExampleRun() {
	s, _ := race.Lookup("rosenbrock")
	names, rates := []string{"sgd", "adam"}, []float64{0.001, 0.1}
	builders, err := race.Optimizers(names, rates, "momentum=0.9")
	if err != nil {
		fmt.Println(err)
		return
	}
	paths, _ := race.Run(s, names, rates, builders, -1.5, 2, 100)
	for _, p := range paths {
		end := p.Points[len(p.Points)-1]
		fmt.Printf("%s: %d points, f %.3g -> %.3g\n", p.Label, len(p.Points), p.Points[0].F, end.F)
	}
	_, err = race.Optimizers(names, rates, "lr=0.5")
	fmt.Println(err)
	// Output:
	// sgd lr=0.001: 101 points, f 12.5 -> 2.52
	// adam lr=0.1: 101 points, f 12.5 -> 4.52
	// race: sgd: the race gives the learning rate, not the setting lr=
}
