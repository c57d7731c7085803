package autograd

import "github.com/descent-ml/descent/internal/kernel"

func gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	kernel.Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func gemmBias[T Float](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, bias []T, c []T, ldc int) {
	kernel.GemmBias(transA, transB, m, n, k, a, lda, b, ldb, bias, c, ldc)
}
