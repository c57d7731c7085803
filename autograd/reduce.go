package autograd

import (
	"github.com/descent-ml/descent/tensor"
)

// Sum returns the sum of all elements of x as a scalar (shape []).
// d/dx_i = 1.
func (g *Graph[T]) Sum(x *Var[T]) *Var[T] {
	req := g.needsGrad(x, nil, nil)
	out := g.NewResult(req)
	out.Value.Data()[0] = tensor.Sum(x.Value)
	if req {
		n := g.Record(sumAllOp[T]{}, out, x, nil, nil)
		n.F = 1
	}
	return out
}

// Mean returns the mean of all elements of x as a scalar. d/dx_i = 1/n.
func (g *Graph[T]) Mean(x *Var[T]) *Var[T] {
	req := g.needsGrad(x, nil, nil)
	out := g.NewResult(req)
	out.Value.Data()[0] = tensor.Mean(x.Value)
	if req {
		n := g.Record(sumAllOp[T]{}, out, x, nil, nil)
		n.F = 1 / float64(x.Value.Len())
	}
	return out
}

// sumAllOp is the backward of Sum and Mean: every input element receives
// the output gradient times F (1 for Sum, 1/n for Mean).
type sumAllOp[T Float] struct{}

func (sumAllOp[T]) Name() string { return "Sum" }
func (sumAllOp[T]) Backward(g *Graph[T], n *Node[T]) {
	gx := g.GradOf(n.In[0])
	if gx == nil {
		return
	}
	v := n.Out.Grad.Data()[0] * T(n.F)
	d := gx.Data()
	for i := range d {
		d[i] += v
	}
}

// reduceAxis records a reduction over one axis (negative counts from the
// end); with keepDim the axis stays as a 1, as in torch.sum(x, dim, keepdim).
func (g *Graph[T]) reduceAxis(op Op[T], x *Var[T], axis int, keepDim bool) (*Var[T], *Node[T]) {
	var shape [tensor.MaxDims]int
	nd, err := tensor.ReduceShape(&shape, x.Shape(), axis, keepDim)
	if err != nil {
		panic("autograd: " + op.Name() + ": " + err.Error())
	}
	req := g.needsGrad(x, nil, nil)
	out := g.NewResult(req, shape[:nd]...)
	if !req {
		return out, nil
	}
	n := g.Record(op, out, x, nil, nil)
	outer, size, inner := tensor.AxisSplit(x.Shape(), axis)
	n.Ints = axisDims{outer, size, inner}.ints()
	return out, n
}

// SumAxis returns the sum of x over axis. dx[.., k, ..] = dy[.., ..] for
// every k along the axis: the gradient is broadcast back.
func (g *Graph[T]) SumAxis(x *Var[T], axis int, keepDim bool) *Var[T] {
	out, n := g.reduceAxis(sumAxisOp[T]{}, x, axis, keepDim)
	tensor.SumAxis(out.Value, x.Value, axis)
	if n != nil {
		n.F = 1
	}
	return out
}

// MeanAxis returns the mean of x over axis. dx = dy/n broadcast back, n the
// size of the axis.
func (g *Graph[T]) MeanAxis(x *Var[T], axis int, keepDim bool) *Var[T] {
	out, n := g.reduceAxis(sumAxisOp[T]{}, x, axis, keepDim)
	tensor.MeanAxis(out.Value, x.Value, axis)
	if n != nil {
		n.F = 1 / float64(axisDimsOf(n.Ints).size)
	}
	return out
}

// sumAxisOp is the backward of SumAxis and MeanAxis: dy, scaled by F,
// added to every position along the reduced axis.
type sumAxisOp[T Float] struct{}

func (sumAxisOp[T]) Name() string { return "SumAxis" }
func (sumAxisOp[T]) Backward(g *Graph[T], n *Node[T]) {
	gx := g.GradOf(n.In[0])
	if gx == nil {
		return
	}
	a := axisDimsOf(n.Ints)
	outer, size, inner := a.outer, a.size, a.inner
	dx, dy, c := gx.Data(), n.Out.Grad.Data(), T(n.F)
	for o := range outer {
		gy := dy[o*inner : (o+1)*inner]
		for k := range size {
			row := dx[(o*size+k)*inner : (o*size+k+1)*inner]
			for i, v := range gy {
				row[i] += c * v
			}
		}
	}
}

// MaxAxis returns the maximum of x over axis. The gradient flows only to
// the element that was the maximum (the first one on ties, as the forward
// pass picks it): dx[argmax] = dy, zero elsewhere.
func (g *Graph[T]) MaxAxis(x *Var[T], axis int, keepDim bool) *Var[T] {
	out, _ := g.reduceAxis(maxAxisOp[T]{}, x, axis, keepDim)
	tensor.MaxAxis(out.Value, x.Value, axis, nil)
	return out
}

type maxAxisOp[T Float] struct{}

func (maxAxisOp[T]) Name() string { return "MaxAxis" }

// Backward finds each maximum's position again instead of saving it: the
// first element equal to the output (or the first NaN if the output is
// NaN) is exactly the one the forward pass chose, and the graph then needs
// no integer buffers.
func (maxAxisOp[T]) Backward(g *Graph[T], n *Node[T]) {
	gx := g.GradOf(n.In[0])
	if gx == nil {
		return
	}
	a := axisDimsOf(n.Ints)
	outer, size, inner := a.outer, a.size, a.inner
	dx, dy, x, y := gx.Data(), n.Out.Grad.Data(), n.In[0].Value.Data(), n.Out.Value.Data()
	for o := range outer {
		for i := range inner {
			m := y[o*inner+i]
			for k := o*size*inner + i; k < (o+1)*size*inner; k += inner {
				if v := x[k]; v == m || v != v && m != m {
					dx[k] += dy[o*inner+i]
					break
				}
			}
		}
	}
}
