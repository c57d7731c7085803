package kernel

// sgemmKernels lists the micro-kernels this CPU can run, best first; the
// portable Go kernel is always last. activeSgemm is the one sgemm uses
// (tests switch it to cover every kernel).
var (
	sgemmKernels = append(asmSgemmKernels(), sgemmGo)
	activeSgemm  = sgemmKernels[0]
)

// GemmKernel names the float32 micro-kernel Gemm uses on this machine, for
// benchmark reports: "avx512 6x64", "avx2 6x16" or "go 4x4".
func GemmKernel() string { return activeSgemm.name }

// minParallelWork is the m*n*k below which a call stays on one goroutine:
// handing work to another goroutine costs a few microseconds, about what
// a 100³ multiply takes.
const minParallelWork = 100 * 100 * 100

// gemm32 is the parallel float32 call in progress, guarded by poolMu; it is
// a package variable so that handing it to the workers allocates nothing.
var gemm32 sgemmJob

// sgemmJob is one float32 Gemm split along M (rows of C) or N (columns) in
// whole micro-tiles, one contiguous chunk per part.
type sgemmJob struct {
	kern           *sgemmKernel
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	bias           []float32 // added to every row of C, or nil
	lda, ldb, ldc  int
	splitM         bool
	chunk          int // rows or columns per part
}

func (j *sgemmJob) run(buf *packBuf, part int) {
	lo := part * j.chunk
	a, b, c, m, n, bias := j.a, j.b, j.c, j.m, j.n, j.bias
	if j.splitM {
		if lo >= m {
			return
		}
		m = min(j.chunk, m-lo)
		c = c[lo*j.ldc:]
		if j.transA {
			a = a[lo:]
		} else {
			a = a[lo*j.lda:]
		}
	} else {
		if lo >= n {
			return
		}
		n = min(j.chunk, n-lo)
		c = c[lo:]
		if bias != nil {
			bias = bias[lo:]
		}
		if j.transB {
			b = b[lo*j.ldb:]
		} else {
			b = b[lo:]
		}
	}
	sgemmBlocked(j.kern, buf, j.transA, j.transB, m, n, j.k, j.alpha, a, j.lda, b, j.ldb, j.beta, c, j.ldc, bias)
}

// addBias adds bias[j] to column j of the m×n matrix C (nothing if bias
// is nil). sgemmBlocked calls it on each block of C it has finished,
// which is still in its core's cache.
func addBias(m, n int, bias, c []float32, ldc int) {
	if bias == nil {
		return
	}
	bias = bias[:n]
	for i := range m {
		Add(c[i*ldc:i*ldc+n], c[i*ldc:i*ldc+n], bias)
	}
}

// sgemm is Gemm for float32 (arguments already checked), followed by
// C += bias row by row if bias is not nil.
func sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, bias []float32) {
	kern := activeSgemm
	if swapWins(kern, m, n) {
		sgemmSwapped(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias)
		return
	}
	buf := acquire()
	if buf == nil { // another call owns the workers: run alone
		buf = getSpare()
		sgemmBlocked(kern, buf, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias)
		putSpare(buf)
		return
	}
	defer release()
	parts := 1
	if m*n*k >= minParallelWork {
		parts = Threads()
	}
	rowTiles, colTiles := (m+kern.mr-1)/kern.mr, (n+kern.nr-1)/kern.nr
	splitM := splitRows(transA, transB, m, n, k, rowTiles, colTiles, parts)
	tiles, tile := colTiles, kern.nr
	if splitM {
		tiles, tile = rowTiles, kern.mr
	}
	parts = min(parts, tiles)
	if parts <= 1 {
		sgemmBlocked(kern, buf, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias)
		return
	}
	gemm32 = sgemmJob{kern: kern, transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, beta: beta, a: a, b: b, c: c, bias: bias, lda: lda, ldb: ldb, ldc: ldc,
		splitM: splitM, chunk: (tiles + parts - 1) / parts * tile}
	runParts(&gemm32, parts)
	gemm32 = sgemmJob{} // keep no reference to the caller's slices
}

// splitRows reports whether a parallel call splits C by rows (M) rather
// than by columns (N). Each part packs the whole of the operand it does not
// split, so splitting M repeats the packing of B (k×n) in each part and
// splitting N that of A (m×k).
//
// When one matrix is much the largest (a layer's weight W in x·Wᵀ, its
// gradient in dyᵀ·x), the split gives each part a contiguous block of it:
// the rows of W for x·Wᵀ (split N), the rows of the gradient (split M).
// The optimizer step splits a parameter into contiguous halves the same
// way, so a weight, its gradient and its optimizer state stay in the cache
// of the core that uses them instead of crossing to the other core every
// step (2% of the 2-thread MLP step here). Otherwise it splits whichever
// side repeats the smaller packing.
func splitRows(transA, transB bool, m, n, k, rowTiles, colTiles, parts int) bool {
	sizeA, sizeB, sizeC := m*k, k*n, m*n
	switch {
	case sizeC >= 2*max(sizeA, sizeB) && rowTiles >= parts:
		return true // contiguous rows of C
	case sizeB >= 2*max(sizeA, sizeC) && transB && colTiles >= parts:
		return false // op(B) = Bᵀ: its columns are B's contiguous rows
	case sizeA >= 2*max(sizeB, sizeC) && !transA && rowTiles >= parts:
		return true // contiguous rows of A
	}
	return m >= n || colTiles < parts
}

// swapWins reports whether an m×n product is better computed transposed
// (Cᵀ = op(B)ᵀ·op(A)ᵀ): when C has a few columns and many rows, as the
// logits of a classifier (batch × 10 classes), the kernel's nr-wide tiles
// would mostly multiply padding. It compares the padded tile areas of both
// ways and swaps when that at least halves the work.
func swapWins(kern *sgemmKernel, m, n int) bool {
	roundUp := func(x, r int) int { return (x + r - 1) / r * r }
	return 2*roundUp(n, kern.mr)*roundUp(m, kern.nr) <= roundUp(m, kern.mr)*roundUp(n, kern.nr)
}

// sgemmSwapped computes C = alpha*op(A)·op(B) + beta*C as the product
// S = alpha*op(B)ᵀ·op(A)ᵀ into scratch memory, then C = Sᵀ + beta*C. Every
// element is the same chain of fused multiply-adds as unswapped, so with
// alpha = 1 and beta = 0 the bits are the same; otherwise alpha*S and
// beta*C are rounded and added in another order (last bit). The choice
// depends on the shape only, never on the thread count.
func sgemmSwapped(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, bias []float32) {
	buf := getSpare()
	if len(buf.swap) < m*n {
		buf.swap = make([]float32, m*n)
	}
	s := buf.swap[:m*n]
	sgemm(!transB, !transA, n, m, k, alpha, b, ldb, a, lda, 0, s, m, nil)
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			for j := range row {
				row[j] = s[j*m+i]
			}
		} else {
			for j := range row {
				row[j] = s[j*m+i] + beta*row[j]
			}
		}
		if bias != nil {
			Add(row, row, bias[:n])
		}
	}
	putSpare(buf)
}
