package autograd

import (
	"math"

	"github.com/descent-ml/descent/tensor"
)

// This file holds the element-wise maths ops: exp, log, sqrt, abs, neg,
// pow and the scalar affine maps. Each backward rule is one loop that
// accumulates dy times the local derivative into dx.

// unaryF records an element-wise op with a scalar argument, kept in Node.F.
func (g *Graph[T]) unaryF(op Op[T], x *Var[T], c float64, forward func(dst, src *tensor.Tensor[T], c T)) *Var[T] {
	req := g.needsGrad(x, nil, nil)
	out := g.NewResult(req, x.Shape()...)
	forward(out.Value, x.Value, T(c))
	if req {
		n := g.Record(op, out, x, nil, nil)
		n.F = c
	}
	return out
}

// grads returns, for a recorded element-wise op, the slices the backward
// rule needs: dx (nil if x needs no gradient), dy, x and y.
func grads[T Float](g *Graph[T], n *Node[T]) (dx, dy, x, y []T) {
	gx := g.GradOf(n.In[0])
	if gx == nil {
		return nil, nil, nil, nil
	}
	dx = gx.Data()
	return dx, n.Out.Grad.Data()[:len(dx)], n.In[0].Value.Data()[:len(dx)], n.Out.Value.Data()[:len(dx)]
}

// Exp returns eˣ. d/dx eˣ = eˣ, the output itself.
func (g *Graph[T]) Exp(x *Var[T]) *Var[T] { return g.unary(expOp[T]{}, x, tensor.Exp[T]) }

type expOp[T Float] struct{}

func (expOp[T]) Name() string { return "Exp" }
func (expOp[T]) Backward(g *Graph[T], n *Node[T]) {
	dx, dy, _, y := grads(g, n)
	for i := range dx {
		dx[i] += dy[i] * y[i]
	}
}

// Log returns ln x. d/dx ln x = 1/x.
func (g *Graph[T]) Log(x *Var[T]) *Var[T] { return g.unary(logOp[T]{}, x, tensor.Log[T]) }

type logOp[T Float] struct{}

func (logOp[T]) Name() string { return "Log" }
func (logOp[T]) Backward(g *Graph[T], n *Node[T]) {
	dx, dy, x, _ := grads(g, n)
	for i := range dx {
		dx[i] += dy[i] / x[i]
	}
}

// Sqrt returns √x. d/dx √x = 1/(2√x), from the output (Inf at 0, as in
// PyTorch).
func (g *Graph[T]) Sqrt(x *Var[T]) *Var[T] { return g.unary(sqrtOp[T]{}, x, tensor.Sqrt[T]) }

type sqrtOp[T Float] struct{}

func (sqrtOp[T]) Name() string { return "Sqrt" }
func (sqrtOp[T]) Backward(g *Graph[T], n *Node[T]) {
	dx, dy, _, y := grads(g, n)
	for i := range dx {
		dx[i] += dy[i] / (2 * y[i])
	}
}

// Abs returns |x|. d/dx |x| = sign(x), with sign(0) = 0 as in PyTorch.
func (g *Graph[T]) Abs(x *Var[T]) *Var[T] { return g.unary(absOp[T]{}, x, tensor.Abs[T]) }

type absOp[T Float] struct{}

func (absOp[T]) Name() string { return "Abs" }
func (absOp[T]) Backward(g *Graph[T], n *Node[T]) {
	dx, dy, x, _ := grads(g, n)
	for i, v := range x {
		switch {
		case v > 0:
			dx[i] += dy[i]
		case v < 0:
			dx[i] -= dy[i]
		}
	}
}

// Neg returns -x. d/dx (-x) = -1.
func (g *Graph[T]) Neg(x *Var[T]) *Var[T] { return g.unary(negOp[T]{}, x, tensor.Neg[T]) }

type negOp[T Float] struct{}

func (negOp[T]) Name() string { return "Neg" }
func (negOp[T]) Backward(g *Graph[T], n *Node[T]) {
	dx, dy, _, _ := grads(g, n)
	for i := range dx {
		dx[i] -= dy[i]
	}
}

// Pow returns xᵖ. d/dx xᵖ = p·xᵖ⁻¹; for p = 0 the gradient is 0 everywhere
// (also at x = 0, where 0·0⁻¹ would be NaN), as in PyTorch.
func (g *Graph[T]) Pow(x *Var[T], p float64) *Var[T] {
	return g.unaryF(powOp[T]{}, x, p, tensor.Pow[T])
}

type powOp[T Float] struct{}

func (powOp[T]) Name() string { return "Pow" }
func (powOp[T]) Backward(g *Graph[T], n *Node[T]) {
	dx, dy, x, _ := grads(g, n)
	switch p := n.F; p {
	case 0:
	case 1:
		for i := range dx {
			dx[i] += dy[i]
		}
	case 2:
		for i, v := range x {
			dx[i] += 2 * v * dy[i]
		}
	case 3:
		for i, v := range x {
			dx[i] += 3 * v * v * dy[i]
		}
	default:
		for i, v := range x {
			dx[i] += T(p * math.Pow(float64(v), p-1) * float64(dy[i]))
		}
	}
}

// AddScalar returns x + c. d/dx (x + c) = 1.
func (g *Graph[T]) AddScalar(x *Var[T], c float64) *Var[T] {
	return g.unaryF(addScalarOp[T]{}, x, c, tensor.AddScalar[T])
}

type addScalarOp[T Float] struct{}

func (addScalarOp[T]) Name() string { return "AddScalar" }
func (addScalarOp[T]) Backward(g *Graph[T], n *Node[T]) {
	dx, dy, _, _ := grads(g, n)
	for i := range dx {
		dx[i] += dy[i]
	}
}

// MulScalar returns c·x. d/dx (c·x) = c.
func (g *Graph[T]) MulScalar(x *Var[T], c float64) *Var[T] {
	return g.unaryF(mulScalarOp[T]{}, x, c, tensor.MulScalar[T])
}

type mulScalarOp[T Float] struct{}

func (mulScalarOp[T]) Name() string { return "MulScalar" }
func (mulScalarOp[T]) Backward(g *Graph[T], n *Node[T]) {
	dx, dy, _, _ := grads(g, n)
	c := T(n.F)
	for i := range dx {
		dx[i] += c * dy[i]
	}
}
