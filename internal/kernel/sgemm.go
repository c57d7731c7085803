package kernel

// The float32 GEMM follows the GotoBLAS/BLIS structure (Goto & van de Geijn,
// "Anatomy of high-performance matrix multiplication", ACM TOMS 2008):
//
//	for jc in steps of nc:           columns of C and B
//	  for pc in steps of kc:         the k dimension; pack B[pc:pc+kc, jc:jc+nc]
//	    for ic in steps of mc:       rows of C and A; pack A[ic:ic+mc, pc:pc+kc]
//	      for jr in steps of nr:     a kc×nr sliver of packed B stays in L1
//	        for ir in steps of mr:   the micro-kernel: an mr×nr tile of C in registers
//
// Packing copies each block into the order the micro-kernel reads it, so the
// kernel streams contiguous memory whatever the transposes and strides; it is
// where all four transpose combinations are handled.
//
// Every element of C is one kernel's chain of fused multiply-adds over each
// kc block in k order, so the result depends on the kernel and on kc but not
// on how the tiles are shared between goroutines.

// sgemmKernel is a micro-kernel with its blocking: run computes the mr×nr
// tile C = alpha*A·B + beta*C from a packed mr×kc panel of A (column p at
// a[p*mr:]) and a packed kc×nr panel of B (row p at b[p*nr:]); beta == 0
// must not read C.
type sgemmKernel struct {
	name       string
	mr, nr     int
	mc, kc, nc int // block sizes: mc a multiple of mr, nc of nr
	run        sgemmRun
	// rows[h], where not nil, is run for the first h < mr rows of the
	// tile, from the same mr-row A panel and with the same operations on
	// those rows: the last rows of C when mr does not divide m (128 rows
	// are 21 tiles of 6 and 2 rows) go straight to C instead of through
	// a scratch tile, and cost h rows' work rather than mr.
	rows []sgemmRun
}

// sgemmRun is a micro-kernel's function (see sgemmKernel).
type sgemmRun = func(kc int, a, b, c []float32, ldc int, alpha, beta float32)

// packBuf holds one goroutine's packing buffers; they only grow.
type packBuf struct {
	a, b []float32
	tile []float32 // an mr×nr scratch tile for the edges of C
	swap []float32 // sgemmSwapped's transposed product
}

func (buf *packBuf) fit(kern *sgemmKernel) {
	if n := kern.mc * kern.kc; len(buf.a) < n {
		buf.a = make([]float32, n)
	}
	if n := kern.kc * kern.nc; len(buf.b) < n {
		buf.b = make([]float32, n)
	}
	if n := kern.mr * kern.nr; len(buf.tile) < n {
		buf.tile = make([]float32, n)
	}
}

// sgemmBlocked computes the float32 Gemm on the calling goroutine with
// kernel kern and the buffers of buf, then adds bias (if not nil) to every
// row of C: to each mc×nc block of C as soon as its last k block is done,
// while the block is still in this core's L2 (the LSTM's input product
// is 7 MB; adding the bias after the whole product read it back from L3).
func sgemmBlocked(kern *sgemmKernel, buf *packBuf, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, bias []float32) {
	if k == 0 || alpha == 0 {
		scaleRows(m, n, beta, c, ldc)
		addBias(m, n, bias, c, ldc)
		return
	}
	buf.fit(kern)
	for jc := 0; jc < n; jc += kern.nc {
		nc := min(kern.nc, n-jc)
		for pc := 0; pc < k; pc += kern.kc {
			kc := min(kern.kc, k-pc)
			blockBeta := beta
			if pc > 0 {
				blockBeta = 1
			}
			// op(B)(p, j) is b[p*ldb+j] as stored, or b[j*ldb+p] transposed.
			pack(buf.b, b, ldb, !transB, pc, jc, kc, nc, kern.nr)
			for ic := 0; ic < m; ic += kern.mc {
				mc := min(kern.mc, m-ic)
				// op(A)(i, p) is a[i*lda+p] as stored, or a[p*lda+i] transposed.
				pack(buf.a, a, lda, transA, pc, ic, kc, mc, kern.mr)
				macroKernel(kern, buf, kc, mc, nc, alpha, blockBeta, c[ic*ldc+jc:], ldc)
				if bias != nil && pc+kc == k {
					addBias(mc, nc, bias[jc:], c[ic*ldc+jc:], ldc)
				}
			}
		}
	}
}

// macroKernel multiplies the packed mc×kc block of A by the packed kc×nc
// block of B into C, one micro-tile at a time. Tiles that stick out of C go
// through buf.tile so the kernel never writes outside C.
func macroKernel(kern *sgemmKernel, buf *packBuf, kc, mc, nc int, alpha, beta float32, c []float32, ldc int) {
	mr, nr := kern.mr, kern.nr
	for jr := 0; jr < nc; jr += nr {
		w := min(nr, nc-jr)
		bp := buf.b[jr*kc : jr*kc+kc*nr]
		for ir := 0; ir < mc; ir += mr {
			h := min(mr, mc-ir)
			ap := buf.a[ir*kc : ir*kc+kc*mr]
			cc := c[ir*ldc+jr:]
			if h == mr && w == nr {
				kern.run(kc, ap, bp, cc, ldc, alpha, beta)
				continue
			}
			if w == nr && h < len(kern.rows) && kern.rows[h] != nil {
				kern.rows[h](kc, ap, bp, cc, ldc, alpha, beta)
				continue
			}
			tile := buf.tile[:mr*nr]
			if beta != 0 {
				for i := range h {
					copy(tile[i*nr:i*nr+w], cc[i*ldc:i*ldc+w])
				}
			}
			kern.run(kc, ap, bp, tile, nr, alpha, beta)
			for i := range h {
				copy(cc[i*ldc:i*ldc+w], tile[i*nr:i*nr+w])
			}
		}
	}
}

// pack copies the kc×xc block of a matrix at (k0, x0) into panels of r
// columns: element (p, x) goes to dst[(x/r)*kc*r + p*r + x%r], and the last
// panel is padded with zeros. With kRows the matrix has element (p, x) at
// src[p*ld+x] (rows run along k), otherwise at src[x*ld+p].
func pack(dst, src []float32, ld int, kRows bool, k0, x0, kc, xc, r int) {
	x := 0
	if full := xc / r; kRows && full >= 2 && (r == 6 || r == 16) {
		packRows(dst, src[k0*ld+x0:], ld, kc, full, r)
		x = full * r
	}
	for ; x < xc; x += r {
		w := min(r, xc-x)
		panel := dst[x*kc : x*kc+kc*r]
		if kRows && r > 16 {
			for p := range kc {
				row := panel[p*r : p*r+r]
				copy(row, src[(k0+p)*ld+x0+x:][:w])
				clear(row[w:])
			}
			continue
		}
		if kRows && w == r && copyRows(panel, src[k0*ld+x0+x:], ld, kc, r) {
			continue
		}
		if kRows { // short rows: a loop beats copy's call
			for p := range kc {
				row := panel[p*r : p*r+r]
				s := src[(k0+p)*ld+x0+x:][:w]
				for j, v := range s {
					row[j] = v
				}
				for j := w; j < r; j++ {
					row[j] = 0
				}
			}
			continue
		}
		packTransposed(panel, src, ld, k0, x0+x, kc, w, r)
		if w < r {
			for p := range kc {
				clear(panel[p*r+w : p*r+r])
			}
		}
	}
}

// packRows packs full panels of r = 6 or 16 columns from kc rows that run
// along k, row p at src[p*ld:]: element x of row p goes to
// dst[(x/r)*kc*r + p*r + x%r]. It reads each row once, left to right,
// rather than one panel's columns down all kc rows at a time: with a
// power-of-two stride (a gradient 512 floats wide) those reads fall into
// a few cache sets and miss every time; row by row, each cache line is
// used whole while it is in L1 (dW_hh of the LSTM: packing 2.5x faster).
func packRows(dst, src []float32, ld, kc, panels, r int) {
	if packRowsAVX2 != nil {
		packRowsAVX2(dst, src, ld, kc, panels, r)
		return
	}
	step := kc * r
	for p0 := 0; p0 < kc; p0 += packRowsBlock {
		rows := min(packRowsBlock, kc-p0)
		for q := range panels {
			d := dst[q*step+p0*r : q*step+(p0+rows)*r]
			s := src[p0*ld+q*r:]
			if r == 6 {
				for p := range rows {
					dp, sp := d[p*6:p*6+6], s[p*ld:p*ld+6]
					*(*[4]float32)(dp) = *(*[4]float32)(sp) // one 16-byte and one 8-byte move
					*(*[2]float32)(dp[4:]) = *(*[2]float32)(sp[4:])
				}
				continue
			}
			for p := range rows {
				dp, sp := d[p*16:p*16+16], s[p*ld:p*ld+16]
				*(*[4]float32)(dp) = *(*[4]float32)(sp)
				*(*[4]float32)(dp[4:]) = *(*[4]float32)(sp[4:])
				*(*[4]float32)(dp[8:]) = *(*[4]float32)(sp[8:])
				*(*[4]float32)(dp[12:]) = *(*[4]float32)(sp[12:])
			}
		}
	}
}

const packRowsBlock = 8

// copyRows copies kc rows of r floats, row p from src[p*ld:], to dst[p*r:],
// with masked AVX-512 moves or as fixed-size array moves (one bounds check
// per row, though the compiler calls memmove for them), for the panel
// widths of the kernels; it reports false for other widths.
func copyRows(dst, src []float32, ld, kc, r int) bool {
	if copyShortRows != nil && r <= 16 {
		copyShortRows(dst, src, ld, kc, r)
		return true
	}
	switch r {
	case 4:
		for p := range kc {
			*(*[4]float32)(dst[p*4:]) = *(*[4]float32)(src[p*ld:])
		}
	case 6: // element by element: an array move of 24 bytes is a memmove call
		for p := range kc {
			d, s := dst[p*6:p*6+6], src[p*ld:p*ld+6]
			d[0], d[1], d[2], d[3], d[4], d[5] = s[0], s[1], s[2], s[3], s[4], s[5]
		}
	case 8:
		for p := range kc {
			*(*[8]float32)(dst[p*8:]) = *(*[8]float32)(src[p*ld:])
		}
	case 14:
		for p := range kc {
			*(*[14]float32)(dst[p*14:]) = *(*[14]float32)(src[p*ld:])
		}
	case 16: // two 8-float halves as above
		for p := range kc {
			d, s := dst[p*16:p*16+16], src[p*ld:p*ld+16]
			d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
			d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15] = s[8], s[9], s[10], s[11], s[12], s[13], s[14], s[15]
		}
	default:
		return false
	}
	return true
}

// packTransposed gathers w rows of src (row x0+j holds elements k0..k0+kc
// of column j) into panel[p*r+j]. With AVX-512, a full 6-row panel goes
// through pack6 and 16-row groups through the 16×16 register transpose,
// 16 elements of k at a time (3.6x and 4.5x the Go gather); with AVX2 only,
// a full 6-row panel goes through pack6, 8 elements at a time. The Go gather
// does the rest: rows eight, six, four or two at a time so that each p
// writes a contiguous run and reads that many sequential streams.
func packTransposed(panel, src []float32, ld, k0, x0, kc, w, r int) {
	row := func(j int) []float32 { return src[(x0+j)*ld+k0:][:kc] }
	j := 0
	if blocks := kc / pack6Cols; r == 6 && w == 6 && pack6 != nil && blocks > 0 {
		pack6(panel, src[x0*ld+k0:], ld, blocks)
		if p0 := blocks * pack6Cols; p0 < kc {
			packTransposed(panel[p0*r:], src, ld, k0+p0, x0, kc-p0, w, r)
		}
		return
	}
	if blocks := kc / 16; transpose16 != nil && blocks > 0 {
		// Whole 16×16 blocks in registers; the last kc%16 elements of
		// each row below.
		for ; j+16 <= w; j += 16 {
			transpose16(panel[j:], r, src[(x0+j)*ld+k0:], ld, blocks)
		}
		if p0 := blocks * 16; p0 < kc && j > 0 {
			packTransposed(panel[p0*r:], src, ld, k0+p0, x0, kc-p0, j, r)
		}
	}
	for ; j+8 <= w; j += 8 {
		s0, s1, s2, s3, s4, s5, s6, s7 := row(j), row(j+1), row(j+2), row(j+3), row(j+4), row(j+5), row(j+6), row(j+7)
		for p, v := range s0 {
			d := panel[p*r+j : p*r+j+8 : p*r+j+8]
			d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = v, s1[p], s2[p], s3[p], s4[p], s5[p], s6[p], s7[p]
		}
	}
	for ; j+6 <= w; j += 6 {
		s0, s1, s2, s3, s4, s5 := row(j), row(j+1), row(j+2), row(j+3), row(j+4), row(j+5)
		for p, v := range s0 {
			d := panel[p*r+j : p*r+j+6 : p*r+j+6]
			d[0], d[1], d[2], d[3], d[4], d[5] = v, s1[p], s2[p], s3[p], s4[p], s5[p]
		}
	}
	for ; j+4 <= w; j += 4 {
		s0, s1, s2, s3 := row(j), row(j+1), row(j+2), row(j+3)
		for p, v := range s0 {
			d := panel[p*r+j : p*r+j+4 : p*r+j+4]
			d[0], d[1], d[2], d[3] = v, s1[p], s2[p], s3[p]
		}
	}
	for ; j+2 <= w; j += 2 {
		s0, s1 := row(j), row(j+1)
		for p, v := range s0 {
			d := panel[p*r+j : p*r+j+2 : p*r+j+2]
			d[0], d[1] = v, s1[p]
		}
	}
	for ; j < w; j++ {
		for p, v := range row(j) {
			panel[p*r+j] = v
		}
	}
}

// scaleRows sets C = beta*C, writing zeros when beta is 0.
func scaleRows[T Float](m, n int, beta T, c []T, ldc int) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
		} else if beta != 1 {
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// sgemmGo is the portable micro-kernel: a 4×4 tile in sixteen scalar
// accumulators, multiply then add (no fusion), in k order.
var sgemmGo = &sgemmKernel{name: "go 4x4", mr: 4, nr: 4, mc: 64, kc: 256, nc: 1024, run: sgemmKernelGo}

func sgemmKernelGo(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	a, b = a[:4*kc], b[:4*kc]
	for p := 0; p+4 <= len(a); p += 4 {
		av, bv := a[p:p+4:p+4], b[p:p+4:p+4]
		a0, a1, a2, a3 := av[0], av[1], av[2], av[3]
		b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
		c00, c01, c02, c03 = c00+a0*b0, c01+a0*b1, c02+a0*b2, c03+a0*b3
		c10, c11, c12, c13 = c10+a1*b0, c11+a1*b1, c12+a1*b2, c13+a1*b3
		c20, c21, c22, c23 = c20+a2*b0, c21+a2*b1, c22+a2*b2, c23+a2*b3
		c30, c31, c32, c33 = c30+a3*b0, c31+a3*b1, c32+a3*b2, c33+a3*b3
	}
	storeRow4(c[0*ldc:], alpha, beta, c00, c01, c02, c03)
	storeRow4(c[1*ldc:], alpha, beta, c10, c11, c12, c13)
	storeRow4(c[2*ldc:], alpha, beta, c20, c21, c22, c23)
	storeRow4(c[3*ldc:], alpha, beta, c30, c31, c32, c33)
}

func storeRow4(c []float32, alpha, beta, s0, s1, s2, s3 float32) {
	c = c[:4]
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*s0, alpha*s1, alpha*s2, alpha*s3
		return
	}
	c[0] = alpha*s0 + beta*c[0]
	c[1] = alpha*s1 + beta*c[1]
	c[2] = alpha*s2 + beta*c[2]
	c[3] = alpha*s3 + beta*c[3]
}
