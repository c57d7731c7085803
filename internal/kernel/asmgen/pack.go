package main

import (
	"fmt"
	"io"
)

// text starts function name with Go signature sig and frame size frame,
// loading each argument "name+offset(FP)" into its register.
func (a *asm) text(sig, frame string, args ...[2]string) {
	fmt.Fprintf(a.w, "\n// func %s(%s)\n", a.name, sig)
	fmt.Fprintf(a.w, "TEXT ·%s(SB), NOSPLIT, %s\n", a.name, frame)
	for _, arg := range args {
		a.p("MOVQ %s, %s", arg[0], arg[1])
	}
}

// countedLoop emits a loop run CX times (none if CX is 0): setup before
// it, body in it, and the function's return after it.
func (a *asm) countedLoop(setup, body func()) {
	a.p("TESTQ CX, CX")
	a.p("JZ %s", a.l("done"))
	setup()
	a.label("loop")
	body()
	a.p("DECQ CX")
	a.p("JNZ %s", a.l("loop"))
	a.label("done")
	a.p("VZEROUPPER")
	a.p("RET")
}

// genPack writes transpose16AVX512, the transposing packer of SGEMM:
//
//	func transpose16AVX512(dst *float32, ldd int, src *float32, lds int, blocks int)
//
// For each of blocks 16×16 blocks it stores the transpose of the block at
// src (row stride lds floats) at dst (row stride ldd floats):
//
//	dst[p*ldd+j] = src[j*lds+p] for p, j in [0, 16)
//
// then moves src 16 floats right and dst 16 rows down. It is the classic
// in-register transpose in four rounds of 16 shuffles: interleave floats,
// then pairs, then 128-bit lanes twice.
func genPack(w io.Writer) {
	a := &asm{w: w, name: "transpose16AVX512", r: "Z"}
	a.text("dst *float32, ldd int, src *float32, lds int, blocks int", "$0-40",
		[2]string{"dst+0(FP)", "DI"}, [2]string{"ldd+8(FP)", "R10"}, [2]string{"src+16(FP)", "SI"},
		[2]string{"lds+24(FP)", "R8"}, [2]string{"blocks+32(FP)", "CX"})
	srcBase := []string{"SI", "AX", "BX", "DX"}
	dstBase := []string{"DI", "R12", "R13", "R14"}
	row := func(base []string, s1, s3 string, i int) string {
		b := base[i/4]
		switch i % 4 {
		case 0:
			return fmt.Sprintf("(%s)", b)
		case 1:
			return fmt.Sprintf("(%s)(%s*1)", b, s1)
		case 2:
			return fmt.Sprintf("(%s)(%s*2)", b, s1)
		}
		return fmt.Sprintf("(%s)(%s*1)", b, s3)
	}
	r := func(i int) string { return fmt.Sprintf("Z%d", i) }
	t := func(i int) string { return fmt.Sprintf("Z%d", 16+i) }
	setup := func() {
		// Row i of a 16-row group is at base[i/4] + (i%4)*stride; the four
		// bases are 4 rows apart.
		a.p("SHLQ $2, R8")  // lds in bytes
		a.p("SHLQ $2, R10") // ldd in bytes
		a.p("LEAQ (R8)(R8*2), R9")
		a.p("LEAQ (R10)(R10*2), R11")
		for g := 1; g < 4; g++ {
			a.p("LEAQ (%s)(R8*4), %s", srcBase[g-1], srcBase[g])
			a.p("LEAQ (%s)(R10*4), %s", dstBase[g-1], dstBase[g])
		}
	}
	a.countedLoop(setup, func() {
		for i := range 16 {
			a.p("VMOVUPS %s, %s", row(srcBase, "R8", "R9", i), r(i))
		}
		// Round 1: t[2i], t[2i+1] interleave the floats of rows 2i and 2i+1
		// within each 128-bit lane.
		for i := range 8 {
			a.p("VUNPCKLPS %s, %s, %s", r(2*i+1), r(2*i), t(2*i))
			a.p("VUNPCKHPS %s, %s, %s", r(2*i+1), r(2*i), t(2*i+1))
		}
		// Round 2: u[4g+q] holds, in lane L, column 4L+q of rows 4g..4g+3.
		for g := range 4 {
			t0, t1, t2, t3 := t(4*g), t(4*g+1), t(4*g+2), t(4*g+3)
			a.p("VUNPCKLPD %s, %s, %s", t2, t0, r(4*g))
			a.p("VUNPCKHPD %s, %s, %s", t2, t0, r(4*g+1))
			a.p("VUNPCKLPD %s, %s, %s", t3, t1, r(4*g+2))
			a.p("VUNPCKHPD %s, %s, %s", t3, t1, r(4*g+3))
		}
		// Rounds 3 and 4: a 4×4 transpose of 128-bit lanes across u[q],
		// u[4+q], u[8+q], u[12+q] gives columns q, 4+q, 8+q and 12+q.
		for q := range 4 {
			u0, u1, u2, u3 := r(q), r(4+q), r(8+q), r(12+q)
			v0, v1, v2, v3 := t(4*q), t(4*q+1), t(4*q+2), t(4*q+3)
			a.p("VSHUFF32X4 $0x44, %s, %s, %s", u1, u0, v0)
			a.p("VSHUFF32X4 $0xEE, %s, %s, %s", u1, u0, v1)
			a.p("VSHUFF32X4 $0x44, %s, %s, %s", u3, u2, v2)
			a.p("VSHUFF32X4 $0xEE, %s, %s, %s", u3, u2, v3)
		}
		for q := range 4 {
			v0, v1, v2, v3 := t(4*q), t(4*q+1), t(4*q+2), t(4*q+3)
			for L, s := range []struct {
				imm  string
				x, y string
			}{{"0x88", v0, v2}, {"0xDD", v0, v2}, {"0x88", v1, v3}, {"0xDD", v1, v3}} {
				a.p("VSHUFF32X4 $%s, %s, %s, %s", s.imm, s.y, s.x, r(4*L+q))
			}
		}
		for i := range 16 {
			a.p("VMOVUPS %s, %s", r(i), row(dstBase, "R10", "R11", i))
		}
		for g := range 4 {
			a.p("ADDQ $64, %s", srcBase[g])
		}
		// Sixteen rows down: two steps of eight row strides per base.
		for g := range 4 {
			a.p("LEAQ (%s)(R10*8), %s", dstBase[g], dstBase[g])
			a.p("LEAQ (%s)(R10*8), %s", dstBase[g], dstBase[g])
		}
	})
}

// genPack6 writes pack6AVX512 (wide) or pack6AVX2, the packers of the
// GEMM kernels' 6-row A panels from a k-contiguous matrix (x·Wᵀ, dy·W; the
// recurrent layers' dhp·W_hh and h·W_hhᵀ):
//
//	func pack6AVX512(dst *float32, src *float32, lds int, blocks int)
//
// It stores dst[p*6+i] = src[i*lds+p] for the 6 rows i and 16*blocks
// (AVX2: 8*blocks) columns p. Rows 0-3 go through two rounds of
// interleaves (after which each 128-bit lane holds one column's four
// floats); rows 4-5 through one (each 64-bit half of a lane holds one
// column's two floats).
func genPack6(w io.Writer, wide bool) {
	// The register file: AVX2 has 16 Y registers, so u reuses the rows'.
	r, name, lanes, extract := "Y", "pack6AVX2", 2, "VEXTRACTF128"
	t, u, x := 6, 0, 12 // first register of t0..t5, u0..u3 and the lane extracts
	if wide {
		r, name, lanes, extract = "Z", "pack6AVX512", 4, "VEXTRACTF32X4"
		t, u, x = 8, 16, 20
	}
	cols := 4 * lanes
	a := &asm{w: w, name: name, r: r}
	a.text("dst *float32, src *float32, lds int, blocks int", "$0-32",
		[2]string{"dst+0(FP)", "DI"}, [2]string{"src+8(FP)", "SI"}, [2]string{"lds+16(FP)", "R8"},
		[2]string{"blocks+24(FP)", "CX"})
	setup := func() {
		a.p("SHLQ $2, R8")
		a.p("LEAQ (R8)(R8*2), R9")
		a.p("LEAQ (SI)(R8*4), AX") // row 4
	}
	a.countedLoop(setup, func() {
		rows := []string{"(SI)", "(SI)(R8*1)", "(SI)(R8*2)", "(SI)(R9*1)", "(AX)", "(AX)(R8*1)"}
		for i, m := range rows {
			a.p("VMOVUPS %s, %s%d", m, r, i)
		}
		// t0..t5: floats of rows (0,1), (2,3), (4,5) interleaved.
		for i := range 3 {
			a.p("VUNPCKLPS %s%d, %s%d, %s%d", r, 2*i+1, r, 2*i, r, t+2*i)
			a.p("VUNPCKHPS %s%d, %s%d, %s%d", r, 2*i+1, r, 2*i, r, t+2*i+1)
		}
		// u_q: lane L holds rows 0-3 of column 4L+q.
		a.p("VUNPCKLPD %s%d, %s%d, %s%d", r, t+2, r, t, r, u)
		a.p("VUNPCKHPD %s%d, %s%d, %s%d", r, t+2, r, t, r, u+1)
		a.p("VUNPCKLPD %s%d, %s%d, %s%d", r, t+3, r, t+1, r, u+2)
		a.p("VUNPCKHPD %s%d, %s%d, %s%d", r, t+3, r, t+1, r, u+3)
		// t4: lane L holds rows 4-5 of column 4L (low half) and 4L+1 (high
		// half); t5 the same for columns 4L+2 and 4L+3.
		for L := range lanes {
			lo4, lo5 := fmt.Sprintf("X%d", t+4), fmt.Sprintf("X%d", t+5)
			if L > 0 {
				a.p("%s $%d, %s%d, X%d", extract, L, r, t+4, x)
				a.p("%s $%d, %s%d, X%d", extract, L, r, t+5, x+1)
				lo4, lo5 = fmt.Sprintf("X%d", x), fmt.Sprintf("X%d", x+1)
			}
			for q := range 4 {
				off := (4*L + q) * 24
				if L == 0 {
					a.p("VMOVUPS X%d, %d(DI)", u+q, off)
				} else {
					a.p("%s $%d, %s%d, %d(DI)", extract, L, r, u+q, off)
				}
				src := lo4
				if q >= 2 {
					src = lo5
				}
				if q%2 == 0 {
					a.p("VMOVLPS %s, %d(DI)", src, off+16)
				} else {
					a.p("VMOVHPS %s, %d(DI)", src, off+16)
				}
			}
		}
		a.p("ADDQ $%d, SI", 4*cols)
		a.p("ADDQ $%d, AX", 4*cols)
		a.p("ADDQ $%d, DI", cols*24)
	})
}

// genCopyRows writes copyRowsAVX512, the packer of short rows (the A panels
// of dyᵀ·x, whose rows run along k):
//
//	func copyRowsAVX512(dst, src *float32, ld, kc, r int)
//
// It copies kc rows of r ≤ 16 floats, row p from src[p*ld:] to dst[p*r:],
// each with one masked load and one masked store (masked lanes are neither
// read nor written, so nothing past a row is touched).
func genCopyRows(w io.Writer) {
	a := &asm{w: w, name: "copyRowsAVX512", r: "Z"}
	a.text("dst, src *float32, ld, kc, r int", "$0-40",
		[2]string{"dst+0(FP)", "DI"}, [2]string{"src+8(FP)", "SI"}, [2]string{"ld+16(FP)", "R8"},
		[2]string{"kc+24(FP)", "CX"}, [2]string{"r+32(FP)", "R9"})
	setup := func() {
		// K1 = the low r bits.
		a.p("MOVL $1, AX")
		a.p("SHLXL R9, AX, AX")
		a.p("DECL AX")
		a.p("KMOVW AX, K1")
		a.p("SHLQ $2, R8")
		a.p("SHLQ $2, R9")
	}
	a.countedLoop(setup, func() {
		a.p("VMOVUPS (SI), K1, Z0")
		a.p("VMOVUPS Z0, K1, (DI)")
		a.p("ADDQ R8, SI")
		a.p("ADDQ R9, DI")
	})
}

// genPackRows writes packRows6AVX2 and packRows16AVX2, the packers of
// full panels whose rows run along k (the A operand of dyᵀ·x, the B
// operand of x·W), packRows in assembly:
//
//	func packRows6AVX2(dst, src *float32, ld, kc, panels int)
//
// It stores dst[q*kc*r + p*r + j] = src[p*ld + q*r + j] for the kc rows p,
// panels q and r columns j, going through the rows eight at a time and,
// within that block, panel by panel, so that each panel's stores are
// contiguous. While it packs a block it prefetches the same place eight
// rows further down: the rows are far apart (a gate gradient's are 2 KB),
// and without the prefetch each one's first touch waited for memory.
func genPackRows(w io.Writer, r int) {
	a := &asm{w: w, name: fmt.Sprintf("packRows%dAVX2", r), r: "Y"}
	a.text("dst, src *float32, ld, kc, panels int", "$0-40",
		[2]string{"dst+0(FP)", "DI"}, [2]string{"src+8(FP)", "SI"}, [2]string{"ld+16(FP)", "R8"},
		[2]string{"kc+24(FP)", "CX"}, [2]string{"panels+32(FP)", "DX"})
	a.p("TESTQ CX, CX")
	a.p("JZ %s", a.l("done"))
	a.p("TESTQ DX, DX")
	a.p("JZ %s", a.l("done"))
	a.p("SHLQ $2, R8") // ld in bytes
	a.p("MOVQ CX, R9")
	a.p("IMULQ $%d, R9", r*4) // a panel's size in bytes
	a.label("block")          // rows SI.., DI..: BX = min(8, CX)
	a.p("MOVQ $8, BX")
	a.p("CMPQ CX, BX")
	a.p("CMOVQLT CX, BX")
	a.p("MOVQ SI, R10") // panel q's first row in src
	a.p("MOVQ DI, R11") // and in dst
	a.p("MOVQ DX, AX")  // panels left
	a.label("panel")
	a.p("MOVQ R10, R12")
	a.p("MOVQ R11, R13")
	a.p("MOVQ BX, R14")
	a.label("row")
	a.p("PREFETCHT0 (R12)(R8*8)")
	if r == 6 {
		a.p("VMOVUPS (R12), X0")
		a.p("VMOVSD 16(R12), X1")
		a.p("VMOVUPS X0, (R13)")
		a.p("VMOVSD X1, 16(R13)")
	} else {
		a.p("VMOVUPS (R12), Y0")
		a.p("VMOVUPS 32(R12), Y1")
		a.p("VMOVUPS Y0, (R13)")
		a.p("VMOVUPS Y1, 32(R13)")
	}
	a.p("ADDQ R8, R12")
	a.p("ADDQ $%d, R13", r*4)
	a.p("DECQ R14")
	a.p("JNZ %s", a.l("row"))
	a.p("ADDQ $%d, R10", r*4)
	a.p("ADDQ R9, R11")
	a.p("DECQ AX")
	a.p("JNZ %s", a.l("panel"))
	a.p("LEAQ (SI)(R8*8), SI")
	a.p("ADDQ $%d, DI", 8*r*4)
	a.p("SUBQ BX, CX")
	a.p("JNZ %s", a.l("block"))
	a.label("done")
	a.p("VZEROUPPER")
	a.p("RET")
}
