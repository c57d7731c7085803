package autograd

import "github.com/descent-ml/descent/tensor"

// binary records a broadcasting element-wise op.
func (g *Graph[T]) binary(op Op[T], kind tensor.BinaryOp, a, b *Var[T]) *Var[T] {
	var shape [tensor.MaxDims]int
	nd, err := tensor.BroadcastShape(&shape, a.Shape(), b.Shape())
	if err != nil {
		panic("autograd: " + kind.String() + ": " + err.Error())
	}
	req := g.needsGrad(a, b, nil)
	out := g.NewResult(req, shape[:nd]...)
	tensor.Binary(kind, out.Value, a.Value, b.Value)
	if req {
		g.Record(op, out, a, b, nil)
	}
	return out
}

// sumInto accumulates src into grad, summing over broadcast dimensions.
func sumInto[T Float](grad, src *tensor.Tensor[T]) {
	if grad != nil {
		tensor.SumTo(grad, src, true)
	}
}

// Add returns a + b with broadcasting. d/da = d/db = 1, summed over the
// dimensions along which each input was broadcast.
func (g *Graph[T]) Add(a, b *Var[T]) *Var[T] { return g.binary(addOp[T]{}, tensor.OpAdd, a, b) }

type addOp[T Float] struct{}

func (addOp[T]) Name() string { return "Add" }
func (addOp[T]) Backward(g *Graph[T], n *Node[T]) {
	sumInto(g.GradOf(n.In[0]), n.Out.Grad)
	sumInto(g.GradOf(n.In[1]), n.Out.Grad)
}

// Sub returns a - b with broadcasting. d/da = 1, d/db = -1.
func (g *Graph[T]) Sub(a, b *Var[T]) *Var[T] { return g.binary(subOp[T]{}, tensor.OpSub, a, b) }

type subOp[T Float] struct{}

func (subOp[T]) Name() string { return "Sub" }
func (subOp[T]) Backward(g *Graph[T], n *Node[T]) {
	sumInto(g.GradOf(n.In[0]), n.Out.Grad)
	if gb := g.GradOf(n.In[1]); gb != nil {
		neg := g.Buffer(n.Out.Shape()...)
		tensor.Scale(neg, n.Out.Grad, -1)
		tensor.SumTo(gb, neg, true)
	}
}

// Mul returns a * b element-wise with broadcasting. d/da = b, d/db = a.
func (g *Graph[T]) Mul(a, b *Var[T]) *Var[T] { return g.binary(mulOp[T]{}, tensor.OpMul, a, b) }

type mulOp[T Float] struct{}

func (mulOp[T]) Name() string { return "Mul" }
func (mulOp[T]) Backward(g *Graph[T], n *Node[T]) {
	a, b, gy := n.In[0], n.In[1], n.Out.Grad
	if ga := g.GradOf(a); ga != nil {
		tmp := g.Buffer(gy.Shape()...)
		tensor.Binary(tensor.OpMul, tmp, gy, b.Value)
		tensor.SumTo(ga, tmp, true)
	}
	if gb := g.GradOf(b); gb != nil {
		tmp := g.Buffer(gy.Shape()...)
		tensor.Binary(tensor.OpMul, tmp, gy, a.Value)
		tensor.SumTo(gb, tmp, true)
	}
}

// Div returns a / b element-wise with broadcasting. d/da = 1/b,
// d/db = -a/b² = -out/b.
func (g *Graph[T]) Div(a, b *Var[T]) *Var[T] { return g.binary(divOp[T]{}, tensor.OpDiv, a, b) }

type divOp[T Float] struct{}

func (divOp[T]) Name() string { return "Div" }
func (divOp[T]) Backward(g *Graph[T], n *Node[T]) {
	b, gy := n.In[1], n.Out.Grad
	if ga := g.GradOf(n.In[0]); ga != nil {
		tmp := g.Buffer(gy.Shape()...)
		tensor.Binary(tensor.OpDiv, tmp, gy, b.Value)
		tensor.SumTo(ga, tmp, true)
	}
	if gb := g.GradOf(b); gb != nil {
		tmp := g.Buffer(gy.Shape()...)
		tensor.Binary(tensor.OpMul, tmp, gy, n.Out.Value)
		tensor.Binary(tensor.OpDiv, tmp, tmp, b.Value)
		tensor.Scale(tmp, tmp, -1)
		tensor.SumTo(gb, tmp, true)
	}
}
