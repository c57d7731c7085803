package models

import (
	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// RandomLoss builds the model called name (any of AllNames, with PyTorch's
// default options and seq for the recurrent ones) from seed, draws a
// random batch from the same generator (inputs N(0, 1) of InputShape,
// labels uniform over the ten classes) and returns the model with the
// function that records its cross-entropy loss on that batch: one
// training step's graph without data, for drawing the graph
// (`descent graph`) or checking its gradients (`descent gradcheck`).
func RandomLoss[T tensor.Float](name string, seq SeqOptions, batch int, seed uint64) (nn.Module[T], func(g *autograd.Graph[T]) *autograd.Var[T], error) {
	shape, err := InputShape(name)
	if err != nil {
		return nil, nil, err
	}
	rng := tensor.NewRand(seed)
	m, err := Build[T](name, rng, Options{}, seq)
	if err != nil {
		return nil, nil, err
	}
	x := tensor.New[T](append([]int{batch}, shape...)...)
	for i := range x.Data() {
		x.Data()[i] = T(rng.NormFloat64())
	}
	targets := make([]int, batch)
	for i := range targets {
		targets[i] = rng.IntN(10)
	}
	input := autograd.NewConstant(x)
	return m, func(g *autograd.Graph[T]) *autograd.Var[T] {
		return nn.CrossEntropyLoss(g, m.Forward(g, input), targets)
	}, nil
}
