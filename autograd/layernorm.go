package autograd

import (
	"fmt"
	"math"
)

// LayerNorm normalizes each row of x over its last d elements (the
// normalized_shape's size), as torch.nn.functional.layer_norm (Ba, Kiros &
// Hinton, "Layer Normalization", 2016, arXiv:1607.06450):
//
//	μ, σ² = mean and biased variance of the row,  x̂ = (x − μ)/sqrt(σ² + eps)
//	y = x̂ ⊙ weight + bias
//
// weight and bias (d elements, the normalized shape) may be nil
// (elementwise_affine=False). Sums are accumulated in float64. Backward,
// with ĝ = dy ⊙ weight:
//
//	dbias = Σ_rows dy,  dweight = Σ_rows dy ⊙ x̂
//	dx = 1/(d·sqrt(σ² + eps)) · (d·ĝ − Σ ĝ − x̂ · Σ ĝ ⊙ x̂)   (sums over the row)
func (g *Graph[T]) LayerNorm(x, weight, bias *Var[T], d int, eps float64) *Var[T] {
	if d <= 0 || x.Value.Len()%d != 0 || x.Value.Len() == 0 {
		panic(fmt.Sprintf("autograd: LayerNorm: input of shape %v cannot be split into rows of %d", x.Shape(), d))
	}
	for _, p := range []*Var[T]{weight, bias} {
		if p != nil && p.Value.Len() != d {
			panic(fmt.Sprintf("autograd: LayerNorm: rows of %d but a parameter has shape %v", d, p.Shape()))
		}
	}
	rows := x.Value.Len() / d
	out, n, xhat, invstd := g.normResult(layerNormOp[T]{}, x, weight, bias, rows)
	if n != nil {
		n.Ints = layerNormArgs{rows, d}.ints()
	}
	xd, y := x.Value.Data(), out.Value.Data()
	var w, b []T
	if weight != nil {
		w = weight.Value.Data()
	}
	if bias != nil {
		b = bias.Value.Data()
	}
	for r := range rows {
		row := xd[r*d : (r+1)*d]
		var s float64
		for _, v := range row {
			s += float64(v)
		}
		mu := s / float64(d)
		var ss float64
		for _, v := range row {
			e := float64(v) - mu
			ss += e * e
		}
		is := T(1 / math.Sqrt(ss/float64(d)+eps))
		invstd[r] = is
		for j, v := range row {
			h := (v - T(mu)) * is
			if xhat != nil {
				xhat[r*d+j] = h
			}
			if w != nil {
				h *= w[j]
			}
			if b != nil {
				h += b[j]
			}
			y[r*d+j] = h
		}
	}
	return out
}

// layerNormArgs is LayerNorm's payload: x viewed as rows of d elements.
type layerNormArgs struct{ rows, d int }

func (a layerNormArgs) ints() [8]int         { return [8]int{a.rows, a.d} }
func layerNormArgsOf(s [8]int) layerNormArgs { return layerNormArgs{s[0], s[1]} }

// layerNormOp is LayerNorm's backward; Saved = x̂ then invstd per row.
type layerNormOp[T Float] struct{}

func (layerNormOp[T]) Name() string { return "LayerNorm" }
func (layerNormOp[T]) Backward(g *Graph[T], n *Node[T]) {
	a := layerNormArgsOf(n.Ints)
	rows, d := a.rows, a.d
	xhat, invstd := savedNorm(n)
	dy := n.Out.Grad.Data()
	gx, gw, gb := g.GradOf(n.In[0]), g.GradOf(n.In[1]), g.GradOf(n.In[2])
	var w []T
	if n.In[1] != nil {
		w = n.In[1].Value.Data()
	}
	for r := range rows {
		dyr, hr := dy[r*d:(r+1)*d], xhat[r*d:(r+1)*d]
		if gw != nil {
			for j, v := range dyr {
				gw.Data()[j] += v * hr[j]
			}
		}
		if gb != nil {
			for j, v := range dyr {
				gb.Data()[j] += v
			}
		}
		if gx == nil {
			continue
		}
		var sg, sgx float64
		for j, v := range dyr {
			if w != nil {
				v *= w[j]
			}
			sg += float64(v)
			sgx += float64(v) * float64(hr[j])
		}
		mg, mgx := T(sg/float64(d)), T(sgx/float64(d))
		dx := gx.Data()[r*d : (r+1)*d]
		for j, v := range dyr {
			if w != nil {
				v *= w[j]
			}
			dx[j] += invstd[r] * (v - mg - hr[j]*mgx)
		}
	}
}
