package autograd

import (
	"fmt"

	"github.com/descent-ml/descent/internal/kernel"
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

// Transpose returns x with axes a and b swapped, like torch.transpose (but
// a copy, not a view): nn's recurrent layers turn a batch-first sequence
// [B, T, F] into [T, B, F], where each time step's rows are contiguous.
// The gradient is dy with the same axes swapped back.
func (g *Graph[T]) Transpose(x *Var[T], a, b int) *Var[T] {
	nd := x.Value.Dims()
	a, b = normAxis("Transpose", a, nd), normAxis("Transpose", b, nd)
	if a > b {
		a, b = b, a
	}
	var shape [tensor.MaxDims]int
	copy(shape[:], x.Shape())
	shape[a], shape[b] = shape[b], shape[a]
	req := g.needsGrad(x, nil, nil)
	out := g.NewResult(req, shape[:nd]...)
	t := transposeSplit(x.Shape(), a, b)
	moveTransposed(t, out.Value.Data(), x.Value.Data(), false)
	if req {
		n := g.Record(transposeOp[T]{}, out, x, nil, nil)
		n.Ints = t.ints()
	}
	return out
}

// transposeArgs is Transpose's payload: x viewed as [pre, na, mid, nb,
// post], axes a and b the sizes na and nb.
type transposeArgs struct{ pre, na, mid, nb, post int }

func (t transposeArgs) ints() [8]int { return [8]int{t.pre, t.na, t.mid, t.nb, t.post} }
func transposeArgsOf(s [8]int) transposeArgs {
	return transposeArgs{s[0], s[1], s[2], s[3], s[4]}
}

// transposeSplit views shape as Transpose's [pre, na, mid, nb, post].
func transposeSplit(shape []int, a, b int) transposeArgs {
	t := transposeArgs{pre: 1, na: shape[a], mid: 1, nb: shape[b], post: 1}
	for _, d := range shape[:a] {
		t.pre *= d
	}
	for _, d := range shape[a+1 : b] {
		t.mid *= d
	}
	for _, d := range shape[b+1:] {
		t.post *= d
	}
	return t
}

// moveTransposed writes (or with add, adds) the transpose of src, laid
// out as t says, into dst: element (p, i, m, j, q) of src goes to (p, j,
// m, i, q) of dst, in runs of post contiguous elements.
func moveTransposed[T Float](t transposeArgs, dst, src []T, add bool) {
	run := t.post
	for p := range t.pre {
		for i := range t.na {
			for m := range t.mid {
				for j := range t.nb {
					s := (((p*t.na+i)*t.mid+m)*t.nb + j) * run
					d := (((p*t.nb+j)*t.mid+m)*t.na + i) * run
					if add {
						kernel.Add(dst[d:d+run], dst[d:d+run], src[s:s+run])
					} else {
						copy(dst[d:d+run], src[s:s+run])
					}
				}
			}
		}
	}
}

// transposeOp: dx += dy with the two axes swapped back.
type transposeOp[T Float] struct{}

func (transposeOp[T]) Name() string { return "Transpose" }
func (transposeOp[T]) Backward(g *Graph[T], n *Node[T]) {
	gx := g.GradOf(n.In[0])
	if gx == nil {
		return
	}
	t := transposeArgsOf(n.Ints)
	// dy is laid out as [pre, nb, mid, na, post]: its transpose is x's.
	back := transposeArgs{t.pre, t.nb, t.mid, t.na, t.post}
	moveTransposed(back, gx.Data(), n.Out.Grad.Data(), true)
}
