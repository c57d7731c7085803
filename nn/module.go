// Package nn builds neural networks from layers on top of autograd: a Module
// interface with PyTorch's parameter naming, the layers and losses of a
// classic convolutional or fully connected classifier, and state dicts.
package nn

import (
	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// Float is the set of element types a module can compute in.
type Float = tensor.Float

// Module is a layer or a network of layers.
type Module[T Float] interface {
	// Forward records the module's computation on g.
	Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T]
	// Parameters returns the trainable tensors in state-dict order. Each
	// Var's Name is its state-dict key relative to this module ("weight";
	// inside a Sequential, "0.weight"). A parameter shared by several
	// layers is listed once, as PyTorch's parameters() does.
	Parameters() []*autograd.Var[T]
}

// Trainable is implemented by modules whose behaviour differs between
// training and evaluation (Dropout), and by containers, which pass the mode on.
type Trainable interface {
	SetTraining(on bool)
}

// SetTraining puts m and everything inside it in training (true) or
// evaluation (false) mode, like PyTorch's model.train() and model.eval().
func SetTraining[T Float](m Module[T], on bool) {
	if t, ok := m.(Trainable); ok {
		t.SetTraining(on)
	}
}

// ZeroGrad sets every parameter's gradient to zero.
func ZeroGrad[T Float](m Module[T]) {
	for _, p := range m.Parameters() {
		p.ZeroGrad()
	}
}
