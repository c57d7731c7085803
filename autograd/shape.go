package autograd

import (
	"fmt"

	"github.com/descent-ml/descent/tensor"
)

// Reshape returns x with a new shape of the same size; one dimension may be
// -1 and is then inferred. The result is a view: it shares x's data (as
// torch.reshape does for contiguous tensors), so no values are copied. The
// gradient is dy reshaped back to x's shape.
func (g *Graph[T]) Reshape(x *Var[T], shape ...int) *Var[T] {
	req := g.needsGrad(x, nil, nil)
	out := g.view(req, x.Value, shape...)
	if req {
		g.Record(reshapeOp[T]{}, out, x, nil, nil)
	}
	return out
}

// Flatten returns x with the dimensions from startDim (negative counts from
// the end) to the last merged into one, like torch.flatten(x, startDim):
// nn.Flatten uses startDim = 1 to turn [N, C, H, W] into [N, C·H·W]. It is
// a view, like Reshape.
func (g *Graph[T]) Flatten(x *Var[T], startDim int) *Var[T] {
	nd := x.Value.Dims()
	start := startDim
	if start < 0 {
		start += nd
	}
	if nd == 0 && (startDim == 0 || startDim == -1) {
		start = 0 // torch.flatten of a scalar is a 1-element vector
	} else if start < 0 || start >= nd {
		panic(fmt.Sprintf("autograd: Flatten: startDim %d out of range for %d dimensions", startDim, nd))
	}
	var shape [tensor.MaxDims]int
	copy(shape[:], x.Shape()[:start])
	shape[start] = 1
	for _, d := range x.Shape()[start:] {
		shape[start] *= d
	}
	req := g.needsGrad(x, nil, nil)
	out := g.view(req, x.Value, shape[:start+1]...)
	if req {
		g.Record(reshapeOp[T]{}, out, x, nil, nil)
	}
	return out
}

// view returns a result Var whose Value is a view of src with the given
// shape. Views come from their own pool: a Var from the ordinary pool would
// be resized in place by whatever op gets its position next step, writing
// into the data the view borrowed (a parameter's, say).
func (g *Graph[T]) view(req bool, src *tensor.Tensor[T], shape ...int) *Var[T] {
	g.begin()
	v := g.views.next()
	if v.Value == nil {
		v.Value = new(tensor.Tensor[T])
	}
	v.Value.ReshapeFrom(src, shape...)
	v.requiresGrad = req
	v.gradLive = false
	return v
}

// reshapeOp is the backward of Reshape and Flatten: row-major order is
// unchanged, so dx is dy element for element.
type reshapeOp[T Float] struct{}

func (reshapeOp[T]) Name() string { return "Reshape" }
func (reshapeOp[T]) Backward(g *Graph[T], n *Node[T]) {
	gx := g.GradOf(n.In[0])
	if gx == nil {
		return
	}
	d := gx.Data()
	for i, v := range n.Out.Grad.Data()[:len(d)] {
		d[i] += v
	}
}
