package gradcheck_test

import (
	"fmt"

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
