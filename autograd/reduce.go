package autograd

// Sum returns the sum of all elements of x as a scalar (shape []).
// d/dx_i = 1.
func (g *Graph[T]) Sum(x *Var[T]) *Var[T] {
	req := g.needsGrad(x, nil, nil)
	out := g.NewResult(req)
	var s T
	for _, v := range x.Value.Data() {
		s += v
	}
	out.Value.Data()[0] = s
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
	var s T
	for _, v := range x.Value.Data() {
		s += v
	}
	nel := x.Value.Len()
	out.Value.Data()[0] = s / T(nel)
	if req {
		n := g.Record(sumAllOp[T]{}, out, x, nil, nil)
		n.F = 1 / float64(nel)
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
