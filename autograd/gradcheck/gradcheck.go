// Package gradcheck verifies backward passes against finite differences,
// like torch.autograd.gradcheck: central differences in float64 with
// PyTorch's default tolerances.
//
// A function with a non-scalar output is reduced to the scalar
// L = Σ r ⊙ out with fixed random weights r, so one backward pass checks the
// vector-Jacobian product rᵀJ, which is what backpropagation computes; a
// wrong Jacobian entry shows up for almost every r.
package gradcheck

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// Options are the finite-difference settings. The zero value means
// PyTorch's defaults.
type Options struct {
	Eps  float64 // perturbation; default 1e-6
	Atol float64 // absolute tolerance; default 1e-5
	Rtol float64 // relative tolerance; default 1e-3
	// MaxPerInput, when positive, checks only that many elements of each
	// input, chosen at random from Seed: for large parameters where checking
	// every element would take one forward pass pair per element.
	MaxPerInput int
	Seed        uint64
}

func (o *Options) defaults() Options {
	r := Options{Eps: 1e-6, Atol: 1e-5, Rtol: 1e-3}
	if o != nil {
		if o.Eps > 0 {
			r.Eps = o.Eps
		}
		if o.Atol > 0 {
			r.Atol = o.Atol
		}
		if o.Rtol > 0 {
			r.Rtol = o.Rtol
		}
		r.MaxPerInput, r.Seed = o.MaxPerInput, o.Seed
	}
	return r
}

// Func records a computation on g from the inputs and returns its output.
type Func func(g *autograd.Graph[float64], inputs []*autograd.Var[float64]) *autograd.Var[float64]

// Result is the outcome for one input that requires a gradient.
type Result struct {
	Input     int    // index into the inputs
	Name      string // the input's Name
	Checked   int    // elements compared
	MaxAbsErr float64
	MaxRelErr float64
	// Worst is the element with the largest violation of the tolerance.
	Worst                       int
	WorstAnalytic, WorstNumeric float64
	OK                          bool
}

// Check compares the analytic gradient of f with respect to every input that
// requires a gradient against central differences. It returns one Result per
// such input, and an error naming the first failing element if any fails.
// Inputs' values are restored and their gradients left as the analytic ones.
func Check(f Func, inputs []*autograd.Var[float64], opts *Options) ([]Result, error) {
	o := opts.defaults()
	g := autograd.New[float64]()
	rng := tensor.NewRand(o.Seed ^ 0x6a09e667)

	// The analytic side: one backward pass through L = Σ r ⊙ f(inputs).
	for _, in := range inputs {
		in.ZeroGrad()
	}
	out := f(g, inputs)
	weights := tensor.New[float64](out.Shape()...)
	weights.RandN(rng, 0, 1)
	if !out.RequiresGrad() {
		return nil, fmt.Errorf("gradcheck: the output does not depend on any input that requires a gradient")
	}
	loss := g.Sum(g.Mul(out, autograd.NewConstant(weights)))
	g.Backward(loss)

	scalar := func() float64 {
		g.Reset()
		var s float64
		g.NoGrad(func() {
			y := f(g, inputs).Value.Data()
			for i, w := range weights.Data() {
				s += w * y[i]
			}
		})
		return s
	}

	var results []Result
	var firstErr error
	for k, in := range inputs {
		if !in.RequiresGrad() {
			continue
		}
		res := Result{Input: k, Name: in.Name, OK: true, Worst: -1}
		x := in.Value.Data()
		analytic := in.Grad.Data()
		worst := -1.0
		for _, i := range pick(len(x), o.MaxPerInput, rng) {
			orig := x[i]
			x[i] = orig + o.Eps
			plus := scalar()
			x[i] = orig - o.Eps
			minus := scalar()
			x[i] = orig
			num := (plus - minus) / (2 * o.Eps)
			a := analytic[i]
			diff := math.Abs(a - num)
			rel := diff / math.Max(math.Abs(num), 1e-12)
			res.Checked++
			res.MaxAbsErr = math.Max(res.MaxAbsErr, diff)
			if diff > 0 {
				res.MaxRelErr = math.Max(res.MaxRelErr, rel)
			}
			violation := diff - (o.Atol + o.Rtol*math.Abs(num))
			if violation > worst || math.IsNaN(diff) {
				worst, res.Worst, res.WorstAnalytic, res.WorstNumeric = violation, i, a, num
			}
			if !(violation <= 0) {
				res.OK = false
			}
		}
		if !res.OK && firstErr == nil {
			firstErr = fmt.Errorf("gradcheck: input %d (%q) element %d: analytic %g, numeric %g (atol %g, rtol %g)",
				k, in.Name, res.Worst, res.WorstAnalytic, res.WorstNumeric, o.Atol, o.Rtol)
		}
		results = append(results, res)
	}
	g.Reset()
	return results, firstErr
}

// pick returns the indices to check: all of [0, n), or max of them chosen
// at random without replacement.
func pick(n, limit int, rng *rand.Rand) []int {
	if limit <= 0 || limit >= n {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	return rng.Perm(n)[:limit]
}
