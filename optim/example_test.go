package optim_test

import (
	"fmt"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// Minimize f(w) = (w-3)² with Adam: the training loop in four lines.
func Example() {
	w := autograd.NewParam(tensor.FromSlice([]float64{0}, 1), "w")
	three := autograd.NewConstant(tensor.Scalar(3.0))
	cfg := optim.AdamDefaults()
	cfg.LR = 0.1
	opt, err := optim.NewAdam([]*autograd.Var[float64]{w}, cfg)
	if err != nil {
		panic(err)
	}
	g := autograd.New[float64]()
	for range 500 {
		opt.ZeroGrad()
		d := g.Sub(w, three)
		g.Backward(g.Sum(g.Mul(d, d)))
		opt.Step()
	}
	fmt.Printf("w = %.4f\n", w.Value.Data()[0])
	// Output: w = 3.0000
}

// SGD's first momentum step copies the gradient into the buffer, skipping
// dampening, exactly as PyTorch does.
func ExampleNewSGD() {
	w := autograd.NewParam(tensor.FromSlice([]float64{1}, 1), "w")
	opt, _ := optim.NewSGD([]*autograd.Var[float64]{w}, optim.SGDConfig{LR: 0.1, Momentum: 0.9, Dampening: 0.5})
	for range 2 {
		w.Grad.Fill(1) // a constant gradient
		opt.Step()
		fmt.Println(w.Value.Data()[0])
	}
	// b = 1, w = 1 - 0.1 = 0.9; b = 0.9*1 + 0.5*1 = 1.4, w = 0.9 - 0.14.
	// Output:
	// 0.9
	// 0.76
}

// Lookahead wraps any optimizer: k fast steps, then one step back.
func ExampleNewLookahead() {
	w := autograd.NewParam(tensor.FromSlice([]float64{3}, 1), "w")
	sgd, _ := optim.NewSGD([]*autograd.Var[float64]{w}, optim.SGDConfig{LR: 1})
	opt, _ := optim.NewLookahead[float64](sgd, optim.LookaheadConfig{K: 2, Alpha: 0.5})
	for range 4 {
		w.Grad.Fill(1) // each fast step moves w down by 1
		opt.Step()
		fmt.Print(w.Value.Data()[0], " ")
	}
	fmt.Println()
	// 3 -> 2, 1 -> sync 3 + 0.5*(1-3) = 2; 2 -> 1, 0 -> sync 2 + 0.5*(0-2) = 1.
	// Output: 2 2 1 1
}

// ClipGradNorm returns the global norm before clipping.
func ExampleClipGradNorm() {
	a := autograd.NewParam(tensor.FromSlice([]float64{0, 0}, 2), "a")
	copy(a.Grad.Data(), []float64{3, 4})
	norm := optim.ClipGradNorm([]*autograd.Var[float64]{a}, 1)
	fmt.Printf("norm %v, clipped %.6f\n", norm, a.Grad.Data())
	// Output: norm 5, clipped [0.600000 0.800000]
}

// New builds an optimizer by name from PyTorch's argument names; errors
// list the valid keys.
func ExampleNew() {
	w := autograd.NewParam(tensor.FromSlice([]float64{1}, 1), "w")
	params := []*autograd.Var[float64]{w}
	opt, err := optim.New("adam", params, "lr=0.1,betas=(0.8,0.99)")
	if err != nil {
		panic(err)
	}
	w.Grad.Fill(2)
	opt.Step() // Adam's first step is lr*sign(g), whatever its size
	fmt.Printf("w = %.4f\n", w.Value.Data()[0])
	fmt.Println(optim.Keys("rmsprop"))
	_, err = optim.New("sgd", params, "momentun=0.9")
	fmt.Println(err)
	// Output:
	// w = 0.9000
	// [lr alpha eps weight_decay momentum centered maximize]
	// sgd: unknown setting "momentun"; valid settings: lr, momentum, dampening, weight_decay, nesterov, maximize
}
