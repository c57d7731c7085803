package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// Embedding is PyTorch's nn.Embedding: a table Weight [num_embeddings,
// embedding_dim] whose rows are looked up by integer index. Forward takes a
// tensor of indices (integers held as floats, any shape) and returns its
// shape + [embedding_dim]. Only the rows looked up receive gradient.
type Embedding[T Float] struct {
	Weight *autograd.Var[T]
}

// NewEmbedding returns an Embedding initialized from N(0, 1), PyTorch's
// default, drawn from rng.
func NewEmbedding[T Float](rng *rand.Rand, numEmbeddings, embeddingDim int) (*Embedding[T], error) {
	if numEmbeddings <= 0 || embeddingDim <= 0 {
		return nil, fmt.Errorf("nn: Embedding(%d, %d): sizes must be positive", numEmbeddings, embeddingDim)
	}
	if rng == nil {
		return nil, fmt.Errorf("nn: Embedding needs a random source (tensor.NewRand(seed))")
	}
	w := tensor.New[T](numEmbeddings, embeddingDim)
	w.RandN(rng, 0, 1)
	return &Embedding[T]{Weight: autograd.NewParam(w, "weight")}, nil
}

// Forward looks up the rows named by the indices in x.
func (e *Embedding[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	return g.Embedding(e.Weight, x)
}

// Parameters returns the weight.
func (e *Embedding[T]) Parameters() []*autograd.Var[T] { return []*autograd.Var[T]{e.Weight} }
