package autograd

import (
	"math"

	"github.com/descent-ml/descent/tensor"
)

// unary records an element-wise op of one input.
func (g *Graph[T]) unary(op Op[T], x *Var[T], forward func(dst, src *tensor.Tensor[T])) *Var[T] {
	req := g.needsGrad(x, nil, nil)
	out := g.NewResult(req, x.Shape()...)
	forward(out.Value, x.Value)
	if req {
		g.Record(op, out, x, nil, nil)
	}
	return out
}

// ReLU returns max(0, x). d/dx = 1 where the output is positive, else 0
// (PyTorch's choice at the kink x = 0); see reluGrad.
func (g *Graph[T]) ReLU(x *Var[T]) *Var[T] { return g.unary(reluOp[T]{}, x, tensor.ReLU[T]) }

type reluOp[T Float] struct{}

func (reluOp[T]) Name() string { return "ReLU" }
func (reluOp[T]) Backward(g *Graph[T], n *Node[T]) {
	gx := g.GradOf(n.In[0])
	if gx == nil {
		return
	}
	reluGrad(gx.Data(), n.Out.Value.Data(), n.Out.Grad.Data())
}

// Tanh returns tanh x. d/dx tanh x = 1 - tanh² x, from the output.
func (g *Graph[T]) Tanh(x *Var[T]) *Var[T] { return g.unary(tanhOp[T]{}, x, tensor.Tanh[T]) }

type tanhOp[T Float] struct{}

func (tanhOp[T]) Name() string { return "Tanh" }
func (tanhOp[T]) Backward(g *Graph[T], n *Node[T]) {
	dx, dy, _, y := grads(g, n)
	for i, v := range y {
		dx[i] += dy[i] * (1 - v*v)
	}
}

// Sigmoid returns σ(x) = 1/(1+e⁻ˣ), computed without overflow for any x.
// d/dx σ(x) = σ(x)(1 - σ(x)), from the output.
func (g *Graph[T]) Sigmoid(x *Var[T]) *Var[T] {
	return g.unary(sigmoidOp[T]{}, x, tensor.Sigmoid[T])
}

type sigmoidOp[T Float] struct{}

func (sigmoidOp[T]) Name() string { return "Sigmoid" }
func (sigmoidOp[T]) Backward(g *Graph[T], n *Node[T]) {
	dx, dy, _, y := grads(g, n)
	for i, v := range y {
		dx[i] += dy[i] * v * (1 - v)
	}
}

// LeakyReLU returns x for x > 0 and slope·x otherwise (PyTorch's default
// slope is 0.01). d/dx = 1 for x > 0, else slope: at the kink x = 0 PyTorch
// takes slope, and so do we.
func (g *Graph[T]) LeakyReLU(x *Var[T], slope float64) *Var[T] {
	return g.unaryF(leakyReLUOp[T]{}, x, slope, tensor.LeakyReLU[T])
}

type leakyReLUOp[T Float] struct{}

func (leakyReLUOp[T]) Name() string { return "LeakyReLU" }
func (leakyReLUOp[T]) Backward(g *Graph[T], n *Node[T]) {
	dx, dy, x, _ := grads(g, n)
	slope := T(n.F)
	for i, v := range x {
		if v > 0 {
			dx[i] += dy[i]
		} else {
			dx[i] += slope * dy[i]
		}
	}
}

// GELU returns x·Φ(x), Φ the standard normal CDF, in the exact erf form
// (torch's default, approximate='none'). d/dx x·Φ(x) = Φ(x) + x·φ(x), with
// φ(x) = e^(-x²/2)/√(2π) the normal density.
func (g *Graph[T]) GELU(x *Var[T]) *Var[T] { return g.unary(geluOp[T]{}, x, tensor.GELU[T]) }

type geluOp[T Float] struct{}

func (geluOp[T]) Name() string { return "GELU" }
func (geluOp[T]) Backward(g *Graph[T], n *Node[T]) {
	dx, dy, x, _ := grads(g, n)
	const invSqrt2, invSqrt2Pi = 1 / math.Sqrt2, 0.3989422804014327 // 1/√2, 1/√(2π)
	for i, v := range x {
		xf := float64(v)
		cdf := 0.5 * (1 + math.Erf(xf*invSqrt2))
		pdf := invSqrt2Pi * math.Exp(-0.5*xf*xf)
		dx[i] += T(float64(dy[i]) * (cdf + xf*pdf))
	}
}

// Softmax returns exp(x)/Σ exp(x) along axis (negative counts from the end),
// computed stably (see tensor.Softmax). With y the output, the Jacobian is
// dyᵢ/dxⱼ = yᵢ(δᵢⱼ - yⱼ), so dx = y ⊙ (dy - Σ dy⊙y), the sum along the axis.
func (g *Graph[T]) Softmax(x *Var[T], axis int) *Var[T] {
	return g.softmax(softmaxOp[T]{}, x, axis, tensor.Softmax[T])
}

// LogSoftmax returns x - log Σ exp(x) along axis, computed stably (see
// tensor.LogSoftmax). With y the output, dyᵢ/dxⱼ = δᵢⱼ - softmax(x)ⱼ, so
// dx = dy - exp(y)·Σ dy, the sum along the axis.
func (g *Graph[T]) LogSoftmax(x *Var[T], axis int) *Var[T] {
	return g.softmax(logSoftmaxOp[T]{}, x, axis, tensor.LogSoftmax[T])
}

func (g *Graph[T]) softmax(op Op[T], x *Var[T], axis int, forward func(dst, src *tensor.Tensor[T], axis int)) *Var[T] {
	outer, size, inner := tensor.AxisSplit(x.Shape(), axis) // panics on a bad axis
	req := g.needsGrad(x, nil, nil)
	out := g.NewResult(req, x.Shape()...)
	forward(out.Value, x.Value, axis)
	if req {
		n := g.Record(op, out, x, nil, nil)
		n.Ints = axisDims{outer, size, inner}.ints()
	}
	return out
}

type softmaxOp[T Float] struct{}

func (softmaxOp[T]) Name() string { return "Softmax" }
func (softmaxOp[T]) Backward(g *Graph[T], n *Node[T]) {
	dx, dy, _, y := grads(g, n)
	if dx == nil {
		return
	}
	a := axisDimsOf(n.Ints)
	outer, size, inner := a.outer, a.size, a.inner
	for o := range outer {
		for i := range inner {
			lo, hi := o*size*inner+i, (o+1)*size*inner
			var s T
			for k := lo; k < hi; k += inner {
				s += dy[k] * y[k]
			}
			for k := lo; k < hi; k += inner {
				dx[k] += y[k] * (dy[k] - s)
			}
		}
	}
}

type logSoftmaxOp[T Float] struct{}

func (logSoftmaxOp[T]) Name() string { return "LogSoftmax" }
func (logSoftmaxOp[T]) Backward(g *Graph[T], n *Node[T]) {
	dx, dy, _, y := grads(g, n)
	if dx == nil {
		return
	}
	a := axisDimsOf(n.Ints)
	outer, size, inner := a.outer, a.size, a.inner
	for o := range outer {
		for i := range inner {
			lo, hi := o*size*inner+i, (o+1)*size*inner
			var s T
			for k := lo; k < hi; k += inner {
				s += dy[k]
			}
			for k := lo; k < hi; k += inner {
				dx[k] += dy[k] - T(math.Exp(float64(y[k])))*s
			}
		}
	}
}
