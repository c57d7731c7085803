package nn

import (
	"strconv"

	"github.com/descent-ml/descent/autograd"
)

// Sequential chains modules, like PyTorch's nn.Sequential. Parameters are
// named by position: "0.weight", "0.bias", "2.weight", ...
type Sequential[T Float] struct {
	Layers  []Module[T]
	params  []*autograd.Var[T]
	buffers []*NamedTensor[T]
}

// NewSequential chains layers and renames their parameters and buffers
// with their position as prefix, as PyTorch's state_dict does.
func NewSequential[T Float](layers ...Module[T]) *Sequential[T] {
	s := &Sequential[T]{Layers: layers}
	for i, l := range layers {
		for _, p := range l.Parameters() {
			p.Name = strconv.Itoa(i) + "." + p.Name
			s.params = append(s.params, p)
		}
		for _, b := range Buffers(l) {
			b.Name = strconv.Itoa(i) + "." + b.Name
			s.buffers = append(s.buffers, b)
		}
	}
	return s
}

// Forward runs the layers in order.
func (s *Sequential[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	for _, l := range s.Layers {
		x = l.Forward(g, x)
	}
	return x
}

// Parameters returns every layer's parameters in order.
func (s *Sequential[T]) Parameters() []*autograd.Var[T] { return s.params }

// Buffers returns every layer's buffers in order.
func (s *Sequential[T]) Buffers() []*NamedTensor[T] { return s.buffers }

// SetTraining passes the mode to every layer.
func (s *Sequential[T]) SetTraining(on bool) {
	for _, l := range s.Layers {
		SetTraining(l, on)
	}
}
