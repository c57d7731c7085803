package gradcheck_test

import (
	"fmt"
	"os"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/autograd/gradcheck"
	"github.com/descent-ml/descent/tensor"
)

// Check the gradient of f(x, w) = tanh(x·w) with respect to both inputs,
// as torch.autograd.gradcheck would.
func Example() {
	rng := tensor.NewRand(1)
	x, w := tensor.New[float64](3, 4), tensor.New[float64](4, 2)
	x.RandN(rng, 0, 1)
	w.RandN(rng, 0, 1)
	inputs := []*autograd.Var[float64]{autograd.NewParam(x, "x"), autograd.NewParam(w, "w")}
	f := func(g *autograd.Graph[float64], in []*autograd.Var[float64]) *autograd.Var[float64] {
		return g.Tanh(g.MatMul(in[0], in[1], false, false))
	}
	results, err := gradcheck.Check(f, inputs, nil)
	for _, r := range results {
		fmt.Printf("%s: %d elements, ok %v\n", r.Name, r.Checked, r.OK)
	}
	fmt.Println("error:", err)
	// Output:
	// x: 12 elements, ok true
	// w: 8 elements, ok true
	// error: <nil>
}

// The table `descent gradcheck` prints: one line per input, then the
// verdict.
func ExampleWriteReport() {
	rng := tensor.NewRand(1)
	w := tensor.New[float64](2, 3)
	w.RandN(rng, 0, 1)
	inputs := []*autograd.Var[float64]{autograd.NewParam(w, "0.weight")}
	f := func(g *autograd.Graph[float64], in []*autograd.Var[float64]) *autograd.Var[float64] {
		return g.Sum(g.Tanh(in[0]))
	}
	results, _ := gradcheck.Check(f, inputs, nil)
	failed := gradcheck.WriteReport(os.Stdout, inputs, results)
	fmt.Println(failed, "failed")
	// Output:
	// parameter  shape            checked  max_abs_err  max_rel_err  result
	// 0.weight   [2,3]                  6     5.12e-11     1.49e-10  PASS
	// all 1 parameters PASS (eps 1e-6, atol 1e-5, rtol 1e-3)
	// 0 failed
}
