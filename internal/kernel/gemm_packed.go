package kernel

// PackedB is the right-hand operand op(B) (k×n) of many products, packed
// once in the order the float32 micro-kernel reads it, so that each
// product packs only its left-hand side: a recurrent layer multiplies by
// the same W_hh at every time step, and packing it each time cost about a
// tenth of the layer. The zero value is empty; Pack fills it, and its
// memory is reused by the next Pack. A PackedB refers to B (float64 and
// small products read it as stored): B must not change while it is used.
type PackedB[T Float] struct {
	transB bool
	k, n   int
	b      []T
	ldb    int
	kern   *sgemmKernel // the kernel packed for; nil: not packed (float64)
	packed []float32
}

// Pack makes p hold op(B), k×n, with B stored as in Gemm (b, ldb, transB).
// It panics like Gemm if the sizes do not fit.
func (p *PackedB[T]) Pack(transB bool, k, n int, b []T, ldb int) {
	if transB {
		checkMatrix("B", n, k, len(b), ldb)
	} else {
		checkMatrix("B", k, n, len(b), ldb)
	}
	p.transB, p.k, p.n, p.b, p.ldb, p.kern = transB, k, n, b, ldb, nil
	if !isFloat32(T(0)) || k == 0 || n == 0 {
		return
	}
	kern := activeSgemm
	p.kern = kern
	size := 0
	for jc := 0; jc < n; jc += kern.nc {
		nc := min(kern.nc, n-jc)
		size += (nc + kern.nr - 1) / kern.nr * kern.nr * k
	}
	if len(p.packed) < size {
		p.packed = make([]float32, size)
	}
	off, b32 := 0, as32(b)
	for jc := 0; jc < n; jc += kern.nc {
		nc := min(kern.nc, n-jc)
		w := (nc + kern.nr - 1) / kern.nr * kern.nr
		for pc := 0; pc < k; pc += kern.kc {
			kc := min(kern.kc, k-pc)
			pack(p.packed[off:], b32, ldb, !transB, pc, jc, kc, nc, kern.nr)
			off += w * kc
		}
	}
}

// Reset drops p's reference to B and keeps its memory for the next Pack.
func (p *PackedB[T]) Reset() { p.b, p.k, p.n = nil, 0, 0 }

// Gemm computes C = alpha*op(A)*op(B) + beta*C, op(A) m×k, with the packed
// op(B), on the calling goroutine (a caller that splits its rows over
// goroutines calls it from each). Each element is computed as Gemm
// computes it, so the result is Gemm's, bit for bit, for any split of the
// rows, where Gemm packs (m·n·k of the whole product at least 64; Gemm's
// transposed small-n products aside, which round alpha and beta in another
// order). It panics like Gemm.
func (p *PackedB[T]) Gemm(transA bool, m int, alpha T, a []T, lda int, beta T, c []T, ldc int) {
	k, n := p.k, p.n
	checkGemm(transA, p.transB, m, n, k, len(a), lda, len(p.b), p.ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if p.kern == nil || p.kern != activeSgemm {
		gemmGeneric(transA, p.transB, m, n, k, alpha, a, lda, p.b, p.ldb, beta, c, ldc)
		return
	}
	if alpha == 0 {
		scaleRows(m, n, beta, c, ldc)
		return
	}
	kern, a32, c32 := p.kern, as32(a), as32(c)
	buf := getSpare()
	if n := kern.mc * kern.kc; len(buf.a) < n { // B is packed already: no buf.b
		buf.a = make([]float32, n)
	}
	if n := kern.mr * kern.nr; len(buf.tile) < n {
		buf.tile = make([]float32, n)
	}
	off := 0
	for jc := 0; jc < n; jc += kern.nc {
		nc := min(kern.nc, n-jc)
		w := (nc + kern.nr - 1) / kern.nr * kern.nr
		for pc := 0; pc < k; pc += kern.kc {
			kc := min(kern.kc, k-pc)
			blockBeta := float32(beta)
			if pc > 0 {
				blockBeta = 1
			}
			blk := packBuf{a: buf.a, b: p.packed[off : off+w*kc], tile: buf.tile}
			off += w * kc
			for ic := 0; ic < m; ic += kern.mc {
				mc := min(kern.mc, m-ic)
				pack(blk.a, a32, lda, transA, pc, ic, kc, mc, kern.mr)
				macroKernel(kern, &blk, kc, mc, nc, float32(alpha), blockBeta, c32[ic*ldc+jc:], ldc)
			}
		}
	}
	putSpare(buf)
}
