package autograd

import "github.com/descent-ml/descent/tensor"

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
// (PyTorch's choice at the kink x = 0).
func (g *Graph[T]) ReLU(x *Var[T]) *Var[T] { return g.unary(reluOp[T]{}, x, tensor.ReLU[T]) }

type reluOp[T Float] struct{}

func (reluOp[T]) Name() string { return "ReLU" }
func (reluOp[T]) Backward(g *Graph[T], n *Node[T]) {
	gx := g.GradOf(n.In[0])
	if gx == nil {
		return
	}
	y, gy, d := n.Out.Value.Data(), n.Out.Grad.Data(), gx.Data()
	for i, v := range y[:len(d)] {
		if v > 0 {
			d[i] += gy[i]
		}
	}
}
