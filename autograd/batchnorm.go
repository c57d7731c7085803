package autograd

import (
	"fmt"
	"math"

	"github.com/descent-ml/descent/tensor"
)

// BatchNorm normalizes x of shape [N, C, *] per channel c with the batch's
// statistics, as torch.nn.functional.batch_norm in training mode (Ioffe &
// Szegedy, "Batch Normalization", 2015, arXiv:1502.03167):
//
//	μ_c = mean of x[:, c, ...],  σ²_c = biased variance,  x̂ = (x − μ_c)/sqrt(σ²_c + eps)
//	y = x̂ ⊙ weight_c + bias_c
//
// weight and bias ([C]) may be nil (affine=False). The batch mean and
// biased variance of each channel are written to mean and variance ([C],
// may be nil), from which nn.BatchNorm1d/2d update their running statistics.
// Sums are accumulated in float64, as PyTorch's CPU kernel does.
//
// Backward, with m = N·(size of *) values per channel:
//
//	dbias_c = Σ dy,  dweight_c = Σ dy ⊙ x̂
//	dx = weight_c/(m·sqrt(σ²_c + eps)) · (m·dy − Σ dy − x̂ · Σ dy ⊙ x̂)
func (g *Graph[T]) BatchNorm(x, weight, bias *Var[T], eps float64, mean, variance *tensor.Tensor[T]) *Var[T] {
	outer, c, inner := batchNormDims("BatchNorm", x, weight, bias)
	m := outer * inner
	if m <= 1 {
		panic(fmt.Sprintf("autograd: BatchNorm: expected more than 1 value per channel when training, got input of shape %v", x.Shape()))
	}
	out, n, xhat, invstd := g.normResult(batchNormOp[T]{}, x, weight, bias, c)
	if n != nil {
		n.Ints = batchNormArgs{outer, c, inner, false}.ints()
	}
	xd := x.Value.Data()
	for ch := range c {
		var s float64
		for o := range outer {
			for _, v := range xd[(o*c+ch)*inner : (o*c+ch+1)*inner] {
				s += float64(v)
			}
		}
		mu := s / float64(m)
		var ss float64
		for o := range outer {
			for _, v := range xd[(o*c+ch)*inner : (o*c+ch+1)*inner] {
				d := float64(v) - mu
				ss += d * d
			}
		}
		vr := ss / float64(m)
		if mean != nil {
			mean.Data()[ch] = T(mu)
		}
		if variance != nil {
			variance.Data()[ch] = T(vr)
		}
		invstd[ch] = T(1 / math.Sqrt(vr+eps))
		affineChannel(out.Value.Data(), xhat, xd, outer, c, inner, ch, T(mu), invstd[ch], weight, bias)
	}
	return out
}

// BatchNormEval normalizes x of shape [N, C, *] per channel with given
// statistics (the running mean and variance), as
// torch.nn.functional.batch_norm in evaluation mode:
// y = (x − mean_c)/sqrt(var_c + eps) ⊙ weight_c + bias_c. It is an affine map
// of x: dx = dy ⊙ weight_c/sqrt(var_c + eps); dweight and dbias are as in
// BatchNorm.
func (g *Graph[T]) BatchNormEval(x, weight, bias *Var[T], mean, variance *tensor.Tensor[T], eps float64) *Var[T] {
	outer, c, inner := batchNormDims("BatchNormEval", x, weight, bias)
	if mean.Len() != c || variance.Len() != c {
		panic(fmt.Sprintf("autograd: BatchNormEval: %d channels but statistics of length %d and %d", c, mean.Len(), variance.Len()))
	}
	out, n, xhat, invstd := g.normResult(batchNormOp[T]{}, x, weight, bias, c)
	if n != nil {
		// The statistics are constants: an affine map's backward.
		n.Ints = batchNormArgs{outer, c, inner, true}.ints()
	}
	xd := x.Value.Data()
	for ch := range c {
		invstd[ch] = T(1 / math.Sqrt(float64(variance.Data()[ch])+eps))
		affineChannel(out.Value.Data(), xhat, xd, outer, c, inner, ch, mean.Data()[ch], invstd[ch], weight, bias)
	}
	return out
}

// batchNormDims checks x against the affine parameters and returns the
// sizes of x viewed as [outer, C, inner].
func batchNormDims[T Float](op string, x, weight, bias *Var[T]) (outer, c, inner int) {
	s := x.Shape()
	if len(s) < 2 {
		panic(fmt.Sprintf("autograd: %s: input of shape %v, want [N, C, ...]", op, s))
	}
	outer, c, inner = tensor.AxisSplit(s, 1)
	for _, p := range []*Var[T]{weight, bias} {
		if p != nil && p.Value.Len() != c {
			panic(fmt.Sprintf("autograd: %s: input has %d channels but a parameter has shape %v", op, c, p.Shape()))
		}
	}
	return outer, c, inner
}

// normResult makes the output of a normalization and, when a gradient is
// needed, records op with one saved buffer holding x̂ (len(x) values) then
// invstd (k values), split again by savedNorm; the node is nil, and x̂ not
// kept, without a gradient.
func (g *Graph[T]) normResult(op Op[T], x, weight, bias *Var[T], k int) (out *Var[T], n *Node[T], xhat, invstd []T) {
	req := g.needsGrad(x, weight, bias)
	out = g.NewResult(req, x.Shape()...)
	nx := x.Value.Len()
	if !req {
		return out, nil, nil, g.Buffer(k).Data()
	}
	n = g.Record(op, out, x, weight, bias)
	n.Saved = g.Buffer(nx + k)
	xhat, invstd = savedNorm(n)
	return out, n, xhat, invstd
}

// savedNorm splits a normalization node's saved buffer into x̂, the size
// of the input, and invstd.
func savedNorm[T Float](n *Node[T]) (xhat, invstd []T) {
	nx := n.In[0].Value.Len()
	return n.Saved.Data()[:nx], n.Saved.Data()[nx:]
}

// affineChannel writes channel ch of y = (x − mu)·invstd·w + b, and x̂ if
// xhat is not nil.
func affineChannel[T Float](y, xhat, x []T, outer, c, inner, ch int, mu, invstd T, weight, bias *Var[T]) {
	w, b := T(1), T(0)
	if weight != nil {
		w = weight.Value.Data()[ch]
	}
	if bias != nil {
		b = bias.Value.Data()[ch]
	}
	for o := range outer {
		lo, hi := (o*c+ch)*inner, (o*c+ch+1)*inner
		for i := lo; i < hi; i++ {
			h := (x[i] - mu) * invstd
			if xhat != nil {
				xhat[i] = h
			}
			y[i] = h*w + b
		}
	}
}

// batchNormArgs is the payload of BatchNorm and BatchNormEval: x viewed
// as [outer, channels, inner], and whether the statistics were given
// (eval) rather than the batch's.
type batchNormArgs struct {
	outer, channels, inner int
	eval                   bool
}

func (a batchNormArgs) ints() [8]int {
	return [8]int{a.outer, a.channels, a.inner, boolInt(a.eval)}
}
func batchNormArgsOf(s [8]int) batchNormArgs {
	return batchNormArgs{s[0], s[1], s[2], intBool(s[3])}
}

// batchNormOp is the backward of BatchNorm and BatchNormEval; Saved = x̂
// then invstd.
type batchNormOp[T Float] struct{}

func (batchNormOp[T]) Name() string { return "BatchNorm" }
func (batchNormOp[T]) Backward(g *Graph[T], n *Node[T]) {
	a := batchNormArgsOf(n.Ints)
	outer, c, inner := a.outer, a.channels, a.inner
	xhat, invstd := savedNorm(n)
	dy := n.Out.Grad.Data()
	gx, gw, gb := g.GradOf(n.In[0]), g.GradOf(n.In[1]), g.GradOf(n.In[2])
	m := float64(outer * inner)
	for ch := range c {
		var sdy, sdyx float64
		for o := range outer {
			for i := (o*c + ch) * inner; i < (o*c+ch+1)*inner; i++ {
				sdy += float64(dy[i])
				sdyx += float64(dy[i]) * float64(xhat[i])
			}
		}
		if gw != nil {
			gw.Data()[ch] += T(sdyx)
		}
		if gb != nil {
			gb.Data()[ch] += T(sdy)
		}
		if gx == nil {
			continue
		}
		w := T(1)
		if n.In[1] != nil {
			w = n.In[1].Value.Data()[ch]
		}
		k := w * invstd[ch]
		meanDy, meanDyx := T(sdy/m), T(sdyx/m)
		dx := gx.Data()
		for o := range outer {
			for i := (o*c + ch) * inner; i < (o*c+ch+1)*inner; i++ {
				if a.eval {
					dx[i] += dy[i] * k
				} else {
					dx[i] += k * (dy[i] - meanDy - xhat[i]*meanDyx)
				}
			}
		}
	}
}
