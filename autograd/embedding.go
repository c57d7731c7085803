package autograd

import (
	"fmt"

	"github.com/descent-ml/descent/tensor"
)

// Embedding returns the rows of the table w [num, dim] picked by the
// integer-valued indices in idx: out[..., :] = w[idx[...], :], of shape
// idx's shape + [dim], like torch.nn.functional.embedding. The indices are
// data, not differentiated (idx is usually a constant). dw[k] gets the sum
// of dy over every position whose index is k; rows not picked get nothing.
func (g *Graph[T]) Embedding(w, idx *Var[T]) *Var[T] {
	if w.Value.Dims() != 2 {
		panic(fmt.Sprintf("autograd: Embedding table of shape %v, want [num, dim]", w.Shape()))
	}
	num, dim := w.Shape()[0], w.Shape()[1]
	var shape [tensor.MaxDims]int
	nd := copy(shape[:], idx.Shape())
	if nd == tensor.MaxDims {
		panic(fmt.Sprintf("autograd: Embedding of indices of shape %v: too many dimensions", idx.Shape()))
	}
	shape[nd] = dim
	req := g.needsGrad(w, nil, nil)
	out := g.NewResult(req, shape[:nd+1]...)
	o, table := out.Value.Data(), w.Value.Data()
	for i, v := range idx.Value.Data() {
		k := int(v)
		if T(k) != v || k < 0 || k >= num {
			panic(fmt.Sprintf("autograd: Embedding index %v at position %d outside [0, %d)", v, i, num))
		}
		copy(o[i*dim:(i+1)*dim], table[k*dim:(k+1)*dim])
	}
	if req {
		g.Record(embeddingOp[T]{}, out, w, idx, nil)
	}
	return out
}

// embeddingOp: dw[idx[i]] += dy[i], row by row.
type embeddingOp[T Float] struct{}

func (embeddingOp[T]) Name() string { return "Embedding" }
func (embeddingOp[T]) Backward(g *Graph[T], n *Node[T]) {
	gw := g.GradOf(n.In[0])
	if gw == nil {
		return
	}
	dim := gw.Shape()[1]
	d, dy := gw.Data(), n.Out.Grad.Data()
	for i, v := range n.In[1].Value.Data() {
		k := int(v)
		row := d[k*dim : (k+1)*dim]
		for j, u := range dy[i*dim : (i+1)*dim] {
			row[j] += u
		}
	}
}
