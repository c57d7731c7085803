package kernel

import (
	"fmt"
	"unsafe"
)

// Gemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices, where
// op(X) is X or its transpose. op(A) is m×k, op(B) is k×n and C is m×n; lda,
// ldb and ldc are the row strides of A, B and C as stored. With beta == 0, C
// is overwritten (NaNs in C do not propagate), as in BLAS.
//
// The reference loop is
//
//	for i := range m { for j := range n {
//	    var s T
//	    for p := range k { s += opA(i, p) * opB(p, j) }
//	    c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
//	}}
//
// float32 runs the packed, cache-blocked SGEMM (sgemm.go) on the best
// micro-kernel the CPU supports, split over Threads() goroutines; its result
// does not depend on the thread count, bit for bit. float64, and products
// with m*n*k < 64, run gemmGeneric: float64 serves gradient checks, where
// speed does not matter.
//
// Gemm panics, with a message prefixed "kernel: Gemm:", when a dimension is
// negative, a stride is shorter than its row or a slice is too short.
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if isFloat32(alpha) && m*n*k >= minPackedWork {
		sgemm(transA, transB, m, n, k, float32(alpha), as32(a), lda, as32(b), ldb, float32(beta), as32(c), ldc, nil)
		return
	}
	gemmGeneric(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// GemmBias computes C = op(A)·op(B) + bias, bias added to every row: a
// Linear layer's x·Wᵀ + b. It is Gemm with alpha = 1 and beta = 0 (C is
// only written), after which the goroutine that computed each block of C
// adds the bias to it while the block is still in its core's cache; a
// bias copied into C beforehand would be read back from the other core.
// Each element is the product's sum rounded, plus the bias: for float32
// the same bits as Gemm with the bias preloaded in C and beta = 1 when k
// fits in one cache block, one rounding apart otherwise. It panics like
// Gemm, and if len(bias) != n.
func GemmBias[T Float](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, bias []T, c []T, ldc int) {
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if len(bias) != n {
		badGemm(fmt.Sprintf("len(bias)=%d, want n=%d", len(bias), n))
	}
	if m == 0 || n == 0 {
		return
	}
	if isFloat32(bias[0]) && m*n*k >= minPackedWork {
		sgemm(transA, transB, m, n, k, 1, as32(a), lda, as32(b), ldb, 0, as32(c), ldc, as32(bias))
		return
	}
	gemmGeneric(transA, transB, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		for j, v := range bias {
			row[j] += v
		}
	}
}

// minPackedWork is the m*n*k below which packing costs more than it saves
// (measured: a 2×2×2 product is 4x faster unpacked, 4×10×8 already slower).
const minPackedWork = 64

// sizeof is unsafe.Sizeof for a type parameter's value.
func sizeof[T Float](x T) uintptr { return unsafe.Sizeof(x) }

// as32 reinterprets a slice of a 4-byte Float (float32 or a type defined on
// it) as []float32.
func as32[T Float](x []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

// checkGemm panics if the arguments of Gemm do not describe valid matrices.
func checkGemm(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		badGemm(fmt.Sprintf("negative dimension m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMatrix("A", ar, ac, la, lda)
	checkMatrix("B", br, bc, lb, ldb)
	checkMatrix("C", m, n, lc, ldc)
}

// checkMatrix panics unless a slice of length l with row stride ld holds a
// rows×cols matrix.
func checkMatrix(name string, rows, cols, l, ld int) {
	if ld < max(1, cols) {
		badGemm(fmt.Sprintf("ld%s=%d is less than the %d columns of %s", name, ld, cols, name))
	}
	if rows > 0 && cols > 0 && l < (rows-1)*ld+cols {
		badGemm(fmt.Sprintf("len(%s)=%d is too short for %d×%d with stride %d (need %d)",
			name, l, rows, cols, ld, (rows-1)*ld+cols))
	}
}

//go:noinline
func badGemm(msg string) { panic("kernel: Gemm: " + msg) }

// gemmGeneric is the pure-Go Gemm. It scales C by beta, then accumulates
// alpha*op(A)*op(B) row by row with axpy-shaped inner loops that the
// compiler keeps in registers.
func gemmGeneric[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	scaleRows(m, n, beta, c, ldc)
	if k == 0 || alpha == 0 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		for p := range k {
			var av T
			if transA {
				av = a[p*lda+i]
			} else {
				av = a[i*lda+p]
			}
			av *= alpha
			if !transB {
				brow := b[p*ldb : p*ldb+n]
				for j, bv := range brow {
					row[j] += av * bv
				}
			} else {
				for j := range row {
					row[j] += av * b[j*ldb+p]
				}
			}
		}
	}
}
