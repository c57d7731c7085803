package autograd

import (
	"fmt"
	"math"
)

// CrossEntropy returns the mean over the batch of -log softmax(logits)[target],
// PyTorch's F.cross_entropy with class-index targets and mean reduction.
// logits is [N, C]; targets holds N class indices in [0, C).
//
// It is log-softmax and NLL fused: the forward pass subtracts each row's
// maximum before exponentiating, so large logits cannot overflow, and it
// leaves behind the gradient (softmax(logits) - onehot(target)) / N, so the
// backward pass is one scaled copy.
func (g *Graph[T]) CrossEntropy(logits *Var[T], targets []int) *Var[T] {
	if logits.Value.Dims() != 2 {
		panic(fmt.Sprintf("autograd: CrossEntropy: logits must be [N, C], got %v", logits.Shape()))
	}
	rows, classes := logits.Value.Dim(0), logits.Value.Dim(1)
	if len(targets) != rows {
		panic(fmt.Sprintf("autograd: CrossEntropy: %d targets for %d rows", len(targets), rows))
	}
	req := g.needsGrad(logits, nil, nil)
	out := g.NewResult(req)
	var grad []T
	var n *Node[T]
	if req {
		n = g.Record(crossEntropyOp[T]{}, out, logits, nil, nil)
		n.Saved = g.Buffer(rows, classes)
		grad = n.Saved.Data()
	}
	x := logits.Value.Data()
	var total float64
	invN := 1 / float64(rows)
	for r, t := range targets {
		if t < 0 || t >= classes {
			panic(fmt.Sprintf("autograd: CrossEntropy: target %d out of range [0, %d)", t, classes))
		}
		row := x[r*classes : (r+1)*classes]
		m := row[0]
		for _, v := range row {
			if v > m || v != v {
				m = v
			}
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v - m))
		}
		logZ := float64(m) + math.Log(s)
		total += logZ - float64(row[t])
		if grad != nil {
			gr := grad[r*classes : (r+1)*classes]
			for j, v := range row {
				gr[j] = T(math.Exp(float64(v)-logZ) * invN)
			}
			gr[t] -= T(invN)
		}
	}
	out.Value.Data()[0] = T(total * invN)
	return out
}

type crossEntropyOp[T Float] struct{}

func (crossEntropyOp[T]) Name() string { return "CrossEntropy" }
func (crossEntropyOp[T]) Backward(g *Graph[T], n *Node[T]) {
	gx := g.GradOf(n.In[0])
	if gx == nil {
		return
	}
	s := n.Out.Grad.Data()[0]
	d := gx.Data()
	for i, v := range n.Saved.Data()[:len(d)] {
		d[i] += s * v
	}
}
