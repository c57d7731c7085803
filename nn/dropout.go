package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
)

// Dropout zeroes each element with probability P during training and
// scales the survivors by 1/(1-P) (inverted dropout, as PyTorch's
// nn.Dropout), so that in evaluation mode it can be the identity. Like a
// PyTorch module it starts in training mode; SetTraining(false), or
// nn.SetTraining on the model around it, switches it off.
type Dropout[T Float] struct {
	P        float64
	rng      *rand.Rand
	training bool
}

// NewDropout returns a Dropout layer in training mode that draws its masks
// from rng. p must be in [0, 1].
func NewDropout[T Float](p float64, rng *rand.Rand) (*Dropout[T], error) {
	if !(p >= 0 && p <= 1) {
		return nil, fmt.Errorf("nn: Dropout probability %v outside [0, 1]", p)
	}
	if rng == nil {
		return nil, fmt.Errorf("nn: Dropout needs a random source (tensor.NewRand(seed))")
	}
	return &Dropout[T]{P: p, rng: rng, training: true}, nil
}

// Forward applies a fresh random mask in training mode and returns x
// unchanged in evaluation mode.
func (d *Dropout[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	if !d.training {
		return x
	}
	return g.Dropout(x, d.P, d.rng)
}

// Parameters returns none.
func (d *Dropout[T]) Parameters() []*autograd.Var[T] { return nil }

// SetTraining turns the dropping on (training) or off (evaluation).
func (d *Dropout[T]) SetTraining(on bool) { d.training = on }

// Training reports whether d is in training mode.
func (d *Dropout[T]) Training() bool { return d.training }
