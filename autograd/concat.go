package autograd

import (
	"fmt"

	"github.com/descent-ml/descent/tensor"
)

// The ops in this file move blocks of a tensor without arithmetic: Narrow
// and Select cut a slice out along one axis (torch.narrow, torch.select),
// Concat and Stack join several tensors along one (torch.cat, torch.stack).
// A recurrent layer uses them to take one time step out of a sequence, to
// split the gate pre-activations, and to gather the per-step outputs.
//
// All four see a tensor as outer × (size along axis × rest) in row-major
// order: a slice along the axis is, for each of the outer rows, one
// contiguous block. Their backward rules are each other's transposes: the
// gradient of a cut adds dy into the block of dx it came from; the gradient
// of a join takes each input's block of dy.

// moveBlocks copies (or, with add, accumulates) outer blocks of n elements
// from src, rows of srcStride starting at srcOff, into dst, rows of
// dstStride starting at dstOff.
func moveBlocks[T Float](dst []T, dstStride, dstOff int, src []T, srcStride, srcOff, outer, n int, add bool) {
	for o := range outer {
		d := dst[o*dstStride+dstOff : o*dstStride+dstOff+n]
		s := src[o*srcStride+srcOff : o*srcStride+srcOff+n]
		if add {
			for i, v := range s {
				d[i] += v
			}
		} else {
			copy(d, s)
		}
	}
}

// axisSplit returns the product of the dimensions before axis and after it.
func axisSplit(shape []int, axis int) (outer, rest int) {
	outer, rest = 1, 1
	for _, d := range shape[:axis] {
		outer *= d
	}
	for _, d := range shape[axis+1:] {
		rest *= d
	}
	return outer, rest
}

// normAxis resolves a negative axis against nd dimensions.
func normAxis(op string, axis, nd int) int {
	a := axis
	if a < 0 {
		a += nd
	}
	if a < 0 || a >= nd {
		panic(fmt.Sprintf("autograd: %s: axis %d out of range for %d dimensions", op, axis, nd))
	}
	return a
}

// Narrow returns the elements start..start+length-1 of x along axis, like
// torch.narrow (but a copy: descent has no strided views). dx gets dy added
// into the same slice and zero elsewhere.
func (g *Graph[T]) Narrow(x *Var[T], axis, start, length int) *Var[T] {
	axis = normAxis("Narrow", axis, x.Value.Dims())
	return g.cut(x, axis, start, length, false)
}

// Select returns index i of x along axis with that axis removed, like
// torch.select (x[:, i] for axis 1): the time step t of a sequence. Its
// gradient is Narrow's.
func (g *Graph[T]) Select(x *Var[T], axis, i int) *Var[T] {
	axis = normAxis("Select", axis, x.Value.Dims())
	return g.cut(x, axis, i, 1, true)
}

func (g *Graph[T]) cut(x *Var[T], axis, start, length int, drop bool) *Var[T] {
	xs := x.Shape()
	if start < 0 || length < 0 || start+length > xs[axis] {
		panic(fmt.Sprintf("autograd: Narrow/Select: [%d, %d) out of range for size %d of axis %d", start, start+length, xs[axis], axis))
	}
	var shape [tensor.MaxDims]int
	nd := copy(shape[:], xs)
	shape[axis] = length
	if drop {
		copy(shape[axis:], shape[axis+1:nd])
		nd--
	}
	outer, rest := axisSplit(xs, axis)
	req := g.needsGrad(x, nil, nil)
	out := g.NewResult(req, shape[:nd]...)
	srcStride, off, n := xs[axis]*rest, start*rest, length*rest
	moveBlocks(out.Value.Data(), n, 0, x.Value.Data(), srcStride, off, outer, n, false)
	if req {
		var op Op[T] = narrowOp[T]{}
		if drop {
			op = selectOp[T]{}
		}
		node := g.Record(op, out, x, nil, nil)
		node.Ints = blockArgs{outer, srcStride, off, n}.ints()
	}
	return out
}

// blockArgs is the payload of Narrow, Select, Concat and Stack: the part
// of a tensor viewed as outer rows of stride elements that one input
// covers, size elements from offset off in each row (x's row for Narrow
// and Select, the output's for Concat and Stack).
type blockArgs struct{ outer, stride, off, size int }

func (a blockArgs) ints() [8]int     { return [8]int{a.outer, a.stride, a.off, a.size} }
func blockArgsOf(s [8]int) blockArgs { return blockArgs{s[0], s[1], s[2], s[3]} }

// narrowOp: dx[block] += dy.
type narrowOp[T Float] struct{}

func (narrowOp[T]) Name() string                     { return "Narrow" }
func (narrowOp[T]) Backward(g *Graph[T], n *Node[T]) { cutBackward(g, n) }

// selectOp is Narrow's backward under Select's name.
type selectOp[T Float] struct{}

func (selectOp[T]) Name() string                     { return "Select" }
func (selectOp[T]) Backward(g *Graph[T], n *Node[T]) { cutBackward(g, n) }

func cutBackward[T Float](g *Graph[T], n *Node[T]) {
	gx := g.GradOf(n.In[0])
	if gx == nil {
		return
	}
	a := blockArgsOf(n.Ints)
	moveBlocks(gx.Data(), a.stride, a.off, n.Out.Grad.Data(), a.size, 0, a.outer, a.size, true)
}

// Concat joins xs along axis, like torch.cat; all other dimensions must
// agree. Each input's gradient is its block of dy.
//
// The tape records one node per input, all writing into the same output
// (a node holds at most three inputs); Backward visits them in reverse and
// each hands its block of dy to its input.
func (g *Graph[T]) Concat(axis int, xs ...*Var[T]) *Var[T] {
	if len(xs) == 0 {
		panic("autograd: Concat of nothing")
	}
	first := xs[0].Shape()
	axis = normAxis("Concat", axis, len(first))
	var shape [tensor.MaxDims]int
	nd := copy(shape[:], first)
	shape[axis] = 0
	for _, x := range xs {
		s := x.Shape()
		for d := range nd {
			if len(s) != nd || d != axis && s[d] != first[d] {
				panic(fmt.Sprintf("autograd: Concat along axis %d of shapes %v and %v", axis, first, s))
			}
		}
		shape[axis] += s[axis]
	}
	outer, rest := axisSplit(shape[:nd], axis)
	return g.join(concatOp[T]{}, xs, shape[:nd], outer, shape[axis]*rest, func(x *Var[T]) int { return x.Shape()[axis] * rest })
}

// Stack joins xs, all of one shape, along a new axis, like torch.stack:
// Stack(0, h_1..h_T) of [B, H] states is [T, B, H]. Each input's gradient
// is its slice of dy, as for Concat.
func (g *Graph[T]) Stack(axis int, xs ...*Var[T]) *Var[T] {
	if len(xs) == 0 {
		panic("autograd: Stack of nothing")
	}
	first := xs[0].Shape()
	axis = normAxis("Stack", axis, len(first)+1)
	for _, x := range xs {
		if !tensor.EqualShapes(x.Shape(), first) {
			panic(fmt.Sprintf("autograd: Stack of shapes %v and %v", first, x.Shape()))
		}
	}
	var shape [tensor.MaxDims]int
	copy(shape[:], first[:axis])
	shape[axis] = len(xs)
	copy(shape[axis+1:], first[axis:])
	nd := len(first) + 1
	outer, rest := axisSplit(shape[:nd], axis)
	return g.join(stackOp[T]{}, xs, shape[:nd], outer, len(xs)*rest, func(*Var[T]) int { return rest })
}

// join writes each x's outer blocks of size(x) elements side by side into
// rows of stride elements, recording one node per input.
func (g *Graph[T]) join(op Op[T], xs []*Var[T], shape []int, outer, stride int, size func(*Var[T]) int) *Var[T] {
	req := false
	for _, x := range xs {
		req = req || g.needsGrad(x, nil, nil)
	}
	out := g.NewResult(req, shape...)
	off := 0
	for _, x := range xs {
		n := size(x)
		moveBlocks(out.Value.Data(), stride, off, x.Value.Data(), n, 0, outer, n, false)
		if req && x.requiresGrad {
			node := g.Record(op, out, x, nil, nil)
			node.Ints = blockArgs{outer, stride, off, n}.ints()
		}
		off += n
	}
	return out
}

// concatOp and stackOp: dx += dy[block].
type concatOp[T Float] struct{}

func (concatOp[T]) Name() string                     { return "Concat" }
func (concatOp[T]) Backward(g *Graph[T], n *Node[T]) { joinBackward(g, n) }

type stackOp[T Float] struct{}

func (stackOp[T]) Name() string                     { return "Stack" }
func (stackOp[T]) Backward(g *Graph[T], n *Node[T]) { joinBackward(g, n) }

func joinBackward[T Float](g *Graph[T], n *Node[T]) {
	gx := g.GradOf(n.In[0])
	if gx == nil {
		return
	}
	a := blockArgsOf(n.Ints)
	moveBlocks(gx.Data(), a.size, 0, n.Out.Grad.Data(), a.stride, a.off, a.outer, a.size, true)
}
