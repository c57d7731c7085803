package autograd

import (
	"fmt"
	"math"

	"github.com/descent-ml/descent/tensor"
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
		if grad == nil {
			for _, v := range row {
				s += math.Exp(float64(v - m))
			}
		} else {
			// Keep each exp for the gradient softmax/N: one exp per
			// logit instead of two.
			gr := grad[r*classes : (r+1)*classes]
			for j, v := range row {
				e := math.Exp(float64(v - m))
				gr[j] = T(e)
				s += e
			}
		}
		logZ := float64(m) + math.Log(s)
		total += logZ - float64(row[t])
		if grad != nil {
			gr := grad[r*classes : (r+1)*classes]
			scale := invN / s
			for j := range gr {
				gr[j] = T(float64(gr[j]) * scale)
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

// MSE returns the mean squared error mean((pred - target)²), PyTorch's
// F.mse_loss with mean reduction. pred and target must have the same shape.
// With d = pred - target and n elements, dL/dpred = 2d/n and
// dL/dtarget = -2d/n: both inputs get a gradient if they need one.
func (g *Graph[T]) MSE(pred, target *Var[T]) *Var[T] {
	if !tensor.SameShape(pred.Value, target.Value) {
		panic(fmt.Sprintf("autograd: MSE: pred %v and target %v differ in shape", pred.Shape(), target.Shape()))
	}
	req := g.needsGrad(pred, target, nil)
	out := g.NewResult(req)
	p, t := pred.Value.Data(), target.Value.Data()
	var diff []T
	if req {
		n := g.Record(mseOp[T]{}, out, pred, target, nil)
		n.Saved = g.Buffer(len(p))
		diff = n.Saved.Data()
	}
	var s float64
	for i, v := range p {
		d := v - t[i]
		if diff != nil {
			diff[i] = d
		}
		s += float64(d) * float64(d)
	}
	out.Value.Data()[0] = T(s / float64(len(p)))
	return out
}

type mseOp[T Float] struct{}

func (mseOp[T]) Name() string { return "MSE" }
func (mseOp[T]) Backward(g *Graph[T], n *Node[T]) {
	diff := n.Saved.Data()
	c := 2 * n.Out.Grad.Data()[0] / T(len(diff))
	if gp := g.GradOf(n.In[0]); gp != nil {
		d := gp.Data()
		for i, v := range diff {
			d[i] += c * v
		}
	}
	if gt := g.GradOf(n.In[1]); gt != nil {
		d := gt.Data()
		for i, v := range diff {
			d[i] -= c * v
		}
	}
}

// NLL returns the mean over the batch of -logProbs[i, targets[i]],
// PyTorch's F.nll_loss with class-index targets and mean reduction.
// logProbs is [N, C] (usually a LogSoftmax output); targets holds N class
// indices in [0, C). dL/dlogProbs[i, targets[i]] = -1/N, zero elsewhere.
func (g *Graph[T]) NLL(logProbs *Var[T], targets []int) *Var[T] {
	if logProbs.Value.Dims() != 2 {
		panic(fmt.Sprintf("autograd: NLL: logProbs must be [N, C], got %v", logProbs.Shape()))
	}
	rows, classes := logProbs.Value.Dim(0), logProbs.Value.Dim(1)
	if len(targets) != rows {
		panic(fmt.Sprintf("autograd: NLL: %d targets for %d rows", len(targets), rows))
	}
	req := g.needsGrad(logProbs, nil, nil)
	out := g.NewResult(req)
	var saved []T
	if req {
		// The backward pass needs the targets; they are kept as T, which is
		// exact for class indices below 2²⁴ even in float32.
		n := g.Record(nllOp[T]{}, out, logProbs, nil, nil)
		n.Saved = g.Buffer(rows)
		saved = n.Saved.Data()
	}
	x := logProbs.Value.Data()
	var s float64
	for r, t := range targets {
		if t < 0 || t >= classes || int(T(t)) != t {
			panic(fmt.Sprintf("autograd: NLL: target %d out of range [0, %d)", t, classes))
		}
		s += float64(x[r*classes+t])
		if saved != nil {
			saved[r] = T(t)
		}
	}
	out.Value.Data()[0] = T(-s / float64(rows))
	return out
}

type nllOp[T Float] struct{}

func (nllOp[T]) Name() string { return "NLL" }
func (nllOp[T]) Backward(g *Graph[T], n *Node[T]) {
	gx := g.GradOf(n.In[0])
	if gx == nil {
		return
	}
	targets := n.Saved.Data()
	classes := gx.Dim(1)
	c := n.Out.Grad.Data()[0] / T(len(targets))
	d := gx.Data()
	for r, t := range targets {
		d[r*classes+int(t)] -= c
	}
}

// BCEWithLogits returns the mean binary cross-entropy between sigmoid(logits)
// and targets, PyTorch's F.binary_cross_entropy_with_logits with mean
// reduction. logits and targets have the same shape; targets are usually in
// [0, 1].
//
// Sigmoid and the logs are fused for stability: per element the loss is
// -t·log σ(x) - (1-t)·log(1-σ(x)) = max(x, 0) - x·t + log(1 + e^(-|x|)),
// which never overflows and never takes the log of 0. With n elements,
// dL/dx = (σ(x) - t)/n and dL/dt = -x/n (targets get a gradient only if
// they need one).
func (g *Graph[T]) BCEWithLogits(logits, targets *Var[T]) *Var[T] {
	if !tensor.SameShape(logits.Value, targets.Value) {
		panic(fmt.Sprintf("autograd: BCEWithLogits: logits %v and targets %v differ in shape", logits.Shape(), targets.Shape()))
	}
	req := g.needsGrad(logits, targets, nil)
	out := g.NewResult(req)
	x, t := logits.Value.Data(), targets.Value.Data()
	var s float64
	for i, v := range x {
		xf := float64(v)
		s += max(xf, 0) - xf*float64(t[i]) + math.Log1p(math.Exp(-math.Abs(xf)))
	}
	out.Value.Data()[0] = T(s / float64(len(x)))
	if req {
		g.Record(bceWithLogitsOp[T]{}, out, logits, targets, nil)
	}
	return out
}

type bceWithLogitsOp[T Float] struct{}

func (bceWithLogitsOp[T]) Name() string { return "BCEWithLogits" }
func (bceWithLogitsOp[T]) Backward(g *Graph[T], n *Node[T]) {
	x, t := n.In[0].Value.Data(), n.In[1].Value.Data()
	c := float64(n.Out.Grad.Data()[0]) / float64(len(x))
	if gx := g.GradOf(n.In[0]); gx != nil {
		d := gx.Data()
		for i, v := range x {
			xf := float64(v)
			var sig float64 // σ(x) in the form that cannot overflow
			if xf >= 0 {
				sig = 1 / (1 + math.Exp(-xf))
			} else {
				e := math.Exp(xf)
				sig = e / (1 + e)
			}
			d[i] += T(c * (sig - float64(t[i])))
		}
	}
	if gt := g.GradOf(n.In[1]); gt != nil {
		d := gt.Data()
		for i, v := range x {
			d[i] -= T(c * float64(v))
		}
	}
}
