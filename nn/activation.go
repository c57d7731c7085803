package nn

import "github.com/descent-ml/descent/autograd"

// ReLU is max(0, x).
type ReLU[T Float] struct{}

// Forward applies ReLU.
func (ReLU[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] { return g.ReLU(x) }

// Parameters returns none.
func (ReLU[T]) Parameters() []*autograd.Var[T] { return nil }
