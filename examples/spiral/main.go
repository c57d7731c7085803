// Command spiral trains a small classifier on a 2-D spiral of three arms
// with descent's library API: a model from nn, a loss, backpropagation
// through autograd and plain SGD. It runs in about a second and prints the
// loss as it falls and the final training accuracy.
//
//	go run ./examples/spiral
package main

import (
	"flag"
	"fmt"
	"github.com/descent-ml/descent/data"
	"os"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

func main() {
	seed := flag.Uint64("seed", 1, "random seed (data and weights)")
	steps := flag.Int("steps", 1000, "full-batch SGD steps")
	lr := flag.Float64("lr", 0.2, "learning rate")
	flag.Parse()
	if err := run(*seed, *steps, *lr); err != nil {
		fmt.Fprintln(os.Stderr, "spiral:", err)
		os.Exit(1)
	}
}

func run(seed uint64, steps int, lr float64) error {
	rng := tensor.NewRand(seed)
	const perClass, classes = 100, 3
	x, labels := data.Spiral(rng, perClass, classes)

	l1, err := nn.NewLinear[float32](rng, 2, 32, nn.LinearOptions{})
	if err != nil {
		return err
	}
	l2, err := nn.NewLinear[float32](rng, 32, 32, nn.LinearOptions{})
	if err != nil {
		return err
	}
	l3, err := nn.NewLinear[float32](rng, 32, classes, nn.LinearOptions{})
	if err != nil {
		return err
	}
	model := nn.NewSequential[float32](l1, nn.ReLU[float32]{}, l2, nn.ReLU[float32]{}, l3)

	opt, err := optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: lr}) // plain SGD: p -= lr·dL/dp
	if err != nil {
		return err
	}
	g := autograd.New[float32]()
	input := autograd.NewConstant(x)
	for step := 1; step <= steps; step++ {
		opt.ZeroGrad()
		loss := nn.CrossEntropyLoss(g, model.Forward(g, input), labels)
		if step == 1 || step%(steps/4) == 0 {
			fmt.Printf("step %4d  loss %.4f\n", step, loss.Value.Item())
		}
		g.Backward(loss)
		opt.Step()
	}
	fmt.Printf("train accuracy %.1f%%\n", 100*accuracy(g, model, input, labels))
	return nil
}

// accuracy is the fraction of points whose largest logit is their label.
func accuracy(g *autograd.Graph[float32], model nn.Module[float32], x *autograd.Var[float32], labels []int) float64 {
	predicted := make([]int, len(labels))
	g.NoGrad(func() { tensor.ArgMaxRows(model.Forward(g, x).Value, predicted) })
	g.Reset()
	correct := 0
	for k, want := range labels {
		if predicted[k] == want {
			correct++
		}
	}
	return float64(correct) / float64(len(labels))
}
