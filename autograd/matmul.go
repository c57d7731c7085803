package autograd

import (
	"fmt"

	"github.com/descent-ml/descent/tensor"
)

// MatMul returns op(a)·op(b), where op transposes the last two dimensions
// when the flag is set. Leading batch dimensions must match, or b is 2-D and
// shared by the whole batch (see tensor.MatMulShape).
//
// For C = A·B the chain rule gives dA = dC·Bᵀ and dB = Aᵀ·dC; the
// transposed forms follow by transposing both sides.
func (g *Graph[T]) MatMul(a, b *Var[T], transA, transB bool) *Var[T] {
	var shape [tensor.MaxDims]int
	nd, err := tensor.MatMulShape(&shape, a.Shape(), b.Shape(), transA, transB)
	if err != nil {
		panic("autograd: " + err.Error())
	}
	if transA && b.Value.Dims() == 2 && a.Value.Dims() > 2 {
		panic("autograd: MatMul with transA over a batch and a shared 2-D right operand is not supported")
	}
	req := g.needsGrad(a, b, nil)
	out := g.NewResult(req, shape[:nd]...)
	tensor.MatMul(out.Value, a.Value, b.Value, transA, transB, 1, 0)
	if req {
		n := g.Record(matMulOp[T]{}, out, a, b, nil)
		n.Ints = matMulArgs{transA, transB}.ints()
	}
	return out
}

// matMulArgs is MatMul's payload: which operands were transposed.
type matMulArgs struct{ transA, transB bool }

func (a matMulArgs) ints() [8]int      { return [8]int{boolInt(a.transA), boolInt(a.transB)} }
func matMulArgsOf(s [8]int) matMulArgs { return matMulArgs{intBool(s[0]), intBool(s[1])} }

type matMulOp[T Float] struct{}

func (matMulOp[T]) Name() string { return "MatMul" }
func (matMulOp[T]) Backward(g *Graph[T], n *Node[T]) {
	a, b, gc := n.In[0].Value, n.In[1].Value, n.Out.Grad
	args := matMulArgsOf(n.Ints)
	transA, transB := args.transA, args.transB
	if ga := g.GradOf(n.In[0]); ga != nil {
		switch {
		case !transA && !transB: // dA = dC·Bᵀ
			tensor.MatMul(ga, gc, b, false, true, 1, 1)
		case !transA && transB: // dA = dC·B
			tensor.MatMul(ga, gc, b, false, false, 1, 1)
		case transA && !transB: // dA = B·dCᵀ
			tensor.MatMul(ga, b, gc, false, true, 1, 1)
		default: // dA = Bᵀ·dCᵀ
			tensor.MatMul(ga, b, gc, true, true, 1, 1)
		}
	}
	gb := g.GradOf(n.In[1])
	if gb == nil {
		return
	}
	if b.Dims() == 2 && a.Dims() > 2 {
		// b was shared by the batch: fold the batch into the rows (transA is
		// excluded in the forward pass), so dB is one 2-D product.
		var a2, gc2 tensor.Tensor[T]
		a2.ReshapeFrom(a, -1, a.Dim(-1))
		gc2.ReshapeFrom(gc, -1, gc.Dim(-1))
		a, gc = &a2, &gc2
	}
	switch {
	case !transA && !transB: // dB = Aᵀ·dC
		tensor.MatMul(gb, a, gc, true, false, 1, 1)
	case !transA && transB: // dB = dCᵀ·A
		tensor.MatMul(gb, gc, a, true, false, 1, 1)
	case transA && !transB: // dB = A·dC
		tensor.MatMul(gb, a, gc, false, false, 1, 1)
	default: // dB = dCᵀ·Aᵀ
		tensor.MatMul(gb, gc, a, true, true, 1, 1)
	}
}

// Linear returns x·Wᵀ + bias, PyTorch's nn.Linear: x is [..., in], w is
// [out, in], bias is [out] or nil. It is MatMul and Add fused, saving a pass
// over the output and a temporary. dx = dy·W, dW = dyᵀ·x, dbias = Σ_rows dy.
func (g *Graph[T]) Linear(x, w, bias *Var[T]) *Var[T] {
	in := x.Value.Dim(-1)
	if w.Value.Dims() != 2 || w.Value.Dim(1) != in {
		panic(fmt.Sprintf("autograd: Linear: input %v does not fit weight %v", x.Shape(), w.Shape()))
	}
	outF := w.Value.Dim(0)
	if bias != nil && (bias.Value.Dims() != 1 || bias.Value.Dim(0) != outF) {
		panic(fmt.Sprintf("autograd: Linear: bias %v does not fit weight %v", bias.Shape(), w.Shape()))
	}
	var shape [tensor.MaxDims]int
	nd := copy(shape[:], x.Shape())
	shape[nd-1] = outF
	req := g.needsGrad(x, w, bias)
	out := g.NewResult(req, shape[:nd]...)
	rows := x.Value.Len() / max(in, 1)
	if in == 0 {
		rows = out.Value.Len() / max(outF, 1)
	}
	y := out.Value.Data()
	if bias != nil {
		gemmBias(false, true, rows, outF, in, x.Value.Data(), in, w.Value.Data(), in, bias.Value.Data(), y, outF)
	} else {
		gemm(false, true, rows, outF, in, 1, x.Value.Data(), in, w.Value.Data(), in, 0, y, outF)
	}
	if req {
		n := g.Record(linearOp[T]{}, out, x, w, bias)
		n.Ints = linearArgs{rows, in, outF}.ints()
	}
	return out
}

// linearArgs is Linear's payload: x viewed as [rows, in], y as [rows, out].
type linearArgs struct{ rows, in, out int }

func (a linearArgs) ints() [8]int      { return [8]int{a.rows, a.in, a.out} }
func linearArgsOf(s [8]int) linearArgs { return linearArgs{s[0], s[1], s[2]} }

type linearOp[T Float] struct{}

func (linearOp[T]) Name() string { return "Linear" }
func (linearOp[T]) Backward(g *Graph[T], n *Node[T]) {
	a := linearArgsOf(n.Ints)
	rows, in, outF := a.rows, a.in, a.out
	gy := n.Out.Grad.Data()
	if gx, overwrite := g.gradToWrite(n.In[0]); gx != nil { // dx = dy·W
		beta := T(1)
		if overwrite {
			beta = 0
		}
		gemm(false, false, rows, in, outF, 1, gy, outF, n.In[1].Value.Data(), in, beta, gx.Data(), in)
	}
	if gw := g.GradOf(n.In[1]); gw != nil { // dW = dyᵀ·x
		gemm(true, false, outF, in, rows, 1, gy, outF, n.In[0].Value.Data(), in, 1, gw.Data(), in)
	}
	if gb := g.GradOf(n.In[2]); gb != nil { // dbias = column sums of dy
		sumRows(gb.Data(), gy, rows, outF)
	}
}
