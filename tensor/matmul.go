package tensor

import (
	"fmt"
	"slices"

	"github.com/descent-ml/descent/internal/kernel"
)

// MatMulShape returns the shape of MatMul(a, b, transA, transB) in out and
// its number of dimensions. a is [..., m, k] ([..., k, m] with transA) and b
// is [..., k, n] ([..., n, k] with transB). The leading batch dimensions of
// a and b must be equal, or b must be 2-D and is then shared by every batch.
func MatMulShape(out *[MaxDims]int, a, b []int, transA, transB bool) (int, error) {
	if len(a) < 2 || len(b) < 2 {
		return 0, fmt.Errorf("tensor: matmul needs at least 2-D operands, got %v and %v", slices.Clone(a), slices.Clone(b))
	}
	m, k := a[len(a)-2], a[len(a)-1]
	if transA {
		m, k = k, m
	}
	kb, n := b[len(b)-2], b[len(b)-1]
	if transB {
		kb, n = n, kb
	}
	if k != kb {
		return 0, fmt.Errorf("tensor: matmul inner dimensions differ: %v (transA=%v) and %v (transB=%v)", slices.Clone(a), transA, slices.Clone(b), transB)
	}
	if len(b) != 2 && !EqualShapes(a[:len(a)-2], b[:len(b)-2]) {
		return 0, fmt.Errorf("tensor: matmul batch dimensions differ: %v and %v", slices.Clone(a), slices.Clone(b))
	}
	nd := len(a)
	copy(out[:], a[:nd-2])
	out[nd-2], out[nd-1] = m, n
	return nd, nil
}

// MatMul computes dst = alpha*op(a)·op(b) + beta*dst over the batch
// dimensions (see MatMulShape). dst must have the product's shape. With
// beta = 0 dst is overwritten; beta = 1 accumulates, as backward passes do.
func MatMul[T Float](dst, a, b *Tensor[T], transA, transB bool, alpha, beta T) {
	var out [MaxDims]int
	nd, err := MatMulShape(&out, a.Shape(), b.Shape(), transA, transB)
	if err != nil {
		panic(err.Error())
	}
	checkShape("MatMul", dst, out[:nd])
	m, n := out[nd-2], out[nd-1]
	ar, ac := a.dims[a.ndim-2], a.dims[a.ndim-1]
	br, bc := b.dims[b.ndim-2], b.dims[b.ndim-1]
	k := ac
	if transA {
		k = ar
	}
	batch := len(dst.data) / max(m*n, 1)
	if m*n == 0 {
		batch = 1
		for _, d := range out[:nd-2] {
			batch *= d
		}
	}
	bStep := br * bc
	if b.ndim == 2 {
		bStep = 0
	}
	if b.ndim == 2 && !transA && a.ndim > 2 {
		// A shared right operand: fold the batch into the rows for one big GEMM.
		kernel.Gemm(false, transB, batch*m, n, k, alpha, a.data, ac, b.data, bc, beta, dst.data, n)
		return
	}
	for i := range batch {
		kernel.Gemm(transA, transB, m, n, k, alpha,
			a.data[i*ar*ac:], ac, b.data[i*bStep:], bc, beta, dst.data[i*m*n:], n)
	}
}
