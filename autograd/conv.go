package autograd

import (
	"fmt"
	"strings"

	"github.com/descent-ml/descent/tensor"
)

// Conv2d returns the 2-D convolution of x [N, C, H, W] with the kernels
// w [O, C, kh, kw], plus bias b [O] (or nil), with zero padding and the given
// stride: PyTorch's F.conv2d (a cross-correlation), output [N, O, OH, OW]
// with OH = (H + 2·padding - kh)/stride + 1.
//
// It runs as im2col + GEMM, image by image (tensor.Conv2d): with col[n]
// the patches of x[n] as columns, y[n] = W·col[n], so dW = Σ_n dy[n]·col[n]ᵀ,
// dcol[n] = Wᵀ·dy[n], dx[n] = col2im(dcol[n]) and db = Σ dy over batch and
// pixels (tensor.Conv2dBackward).
func (g *Graph[T]) Conv2d(x, w, b *Var[T], stride, padding int) *Var[T] {
	shape, err := tensor.Conv2dShape(x.Shape(), w.Shape(), stride, padding)
	if err != nil {
		panic("autograd: Conv2d: " + strings.TrimPrefix(err.Error(), "tensor: "))
	}
	var bias *tensor.Tensor[T]
	if b != nil {
		if b.Value.Dims() != 1 || b.Value.Dim(0) != shape[1] {
			panic(fmt.Sprintf("autograd: Conv2d: bias %v does not fit weight %v", b.Shape(), w.Shape()))
		}
		bias = b.Value
	}
	req := g.needsGrad(x, w, b)
	out := g.NewResult(req, shape[:]...)
	tensor.Conv2d(out.Value, x.Value, w.Value, bias, g.Buffer(0), stride, padding)
	if req {
		n := g.Record(conv2dOp[T]{}, out, x, w, b)
		n.Ints = convArgs{stride, padding}.ints()
	}
	return out
}

// convArgs is Conv2d's payload.
type convArgs struct{ stride, padding int }

func (a convArgs) ints() [8]int    { return [8]int{a.stride, a.padding} }
func convArgsOf(s [8]int) convArgs { return convArgs{s[0], s[1]} }

type conv2dOp[T Float] struct{}

func (conv2dOp[T]) Name() string { return "Conv2d" }
func (conv2dOp[T]) Backward(g *Graph[T], n *Node[T]) {
	gx, gw, gb := g.GradOf(n.In[0]), g.GradOf(n.In[1]), g.GradOf(n.In[2])
	a := convArgsOf(n.Ints)
	tensor.Conv2dBackward(gx, gw, gb, n.Out.Grad, n.In[0].Value, n.In[1].Value, g.Buffer(0), a.stride, a.padding)
}
