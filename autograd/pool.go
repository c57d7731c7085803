package autograd

import (
	"strings"

	"github.com/descent-ml/descent/tensor"
)

// pool2dShape returns the output shape of pooling x, panicking with the op's
// name on a bad geometry.
func pool2dShape[T Float](op string, x *Var[T], kernel, stride, padding int) [4]int {
	shape, err := tensor.Pool2dShape(x.Shape(), kernel, stride, padding)
	if err != nil {
		panic("autograd: " + op + ": " + strings.TrimPrefix(err.Error(), "tensor: "))
	}
	return shape
}

// MaxPool2d returns the maximum over each kernel×kernel window of
// x [N, C, H, W], windows stride apart, the input padded with -∞: PyTorch's
// F.max_pool2d. (PyTorch's default stride is the kernel size; here the
// caller states it.)
//
// The derivative of a maximum is 1 for the element that attained it and 0
// for the rest, so the backward pass routes each output gradient to its
// window's argmax, which the forward pass saves (first maximum on ties, as
// PyTorch).
func (g *Graph[T]) MaxPool2d(x *Var[T], kernel, stride, padding int) *Var[T] {
	shape := pool2dShape("MaxPool2d", x, kernel, stride, padding)
	req := g.needsGrad(x, nil, nil)
	out := g.NewResult(req, shape[:]...)
	var argmax *tensor.Tensor[T]
	if req {
		argmax = g.Buffer(shape[:]...)
	}
	tensor.MaxPool2d(out.Value, x.Value, argmax, kernel, stride, padding)
	if req {
		n := g.Record(maxPool2dOp[T]{}, out, x, nil, nil)
		n.Saved = argmax
		n.Ints = poolArgs{kernel, stride, padding}.ints()
	}
	return out
}

// poolArgs is the payload of MaxPool2d and AvgPool2d.
type poolArgs struct{ kernel, stride, padding int }

func (a poolArgs) ints() [8]int    { return [8]int{a.kernel, a.stride, a.padding} }
func poolArgsOf(s [8]int) poolArgs { return poolArgs{s[0], s[1], s[2]} }

type maxPool2dOp[T Float] struct{}

func (maxPool2dOp[T]) Name() string { return "MaxPool2d" }
func (maxPool2dOp[T]) Backward(g *Graph[T], n *Node[T]) {
	if gx := g.GradOf(n.In[0]); gx != nil {
		a := poolArgsOf(n.Ints)
		tensor.MaxPool2dBackward(gx, n.Out.Grad, n.Saved, a.kernel, a.stride, a.padding)
	}
}

// AvgPool2d returns the mean over each kernel×kernel window of
// x [N, C, H, W], windows stride apart, the input zero-padded and the
// padding counted in the divisor: PyTorch's F.avg_pool2d with its default
// count_include_pad=True.
//
// Each output is Σ window / size, so each input element in a window receives
// the output's gradient divided by the window size.
func (g *Graph[T]) AvgPool2d(x *Var[T], kernel, stride, padding int) *Var[T] {
	shape := pool2dShape("AvgPool2d", x, kernel, stride, padding)
	req := g.needsGrad(x, nil, nil)
	out := g.NewResult(req, shape[:]...)
	tensor.AvgPool2d(out.Value, x.Value, kernel, stride, padding)
	if req {
		n := g.Record(avgPool2dOp[T]{}, out, x, nil, nil)
		n.Ints = poolArgs{kernel, stride, padding}.ints()
	}
	return out
}

type avgPool2dOp[T Float] struct{}

func (avgPool2dOp[T]) Name() string { return "AvgPool2d" }
func (avgPool2dOp[T]) Backward(g *Graph[T], n *Node[T]) {
	if gx := g.GradOf(n.In[0]); gx != nil {
		a := poolArgsOf(n.Ints)
		tensor.AvgPool2dBackward(gx, n.Out.Grad, a.kernel, a.stride, a.padding)
	}
}
