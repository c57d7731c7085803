package main

import (
	"fmt"
	"io"
)

// The vector kernels process n elements, n a multiple of the vector width
// (the Go wrappers do the tail with the Go spec), one vector per trip. Each
// does exactly the rounded operations of its Go spec in the same order,
// without fused multiply-add, so results match the spec bit for bit.

// width is one instruction set: AVX-512 on zmm registers or AVX2 on ymm.
type width struct {
	suffix string // function name suffix
	reg    string // register prefix
	lanes  int
	log2   int
}

var widths = []width{{"AVX512", "Z", 16, 4}, {"AVX2", "Y", 8, 3}}

// asm writes instructions for one function, naming labels after it.
type asm struct {
	w    io.Writer
	name string
	r    string
}

func (a *asm) p(format string, args ...any) { fmt.Fprintf(a.w, "\t"+format+"\n", args...) }
func (a *asm) label(s string)               { fmt.Fprintf(a.w, "%s_%s:\n", a.name, s) }
func (a *asm) l(s string) string            { return a.name + "_" + s }
func (a *asm) v(i int) string               { return fmt.Sprintf("%s%d", a.r, i) }

// loop emits the counted loop over n/lanes vectors: n is at nOff(FP), the
// pointers named in ptrs are advanced by one vector per trip.
func (a *asm) loop(wd width, nArg string, ptrs []string, body func()) {
	a.p("MOVQ %s, CX", nArg)
	a.p("SHRQ $%d, CX", wd.log2)
	a.countedLoop(func() {}, func() {
		body()
		for _, r := range ptrs {
			a.p("ADDQ $%d, %s", wd.lanes*4, r)
		}
	})
}

func genVector(w io.Writer) {
	genSignBits(w)
	for _, wd := range widths {
		genBinary(w, wd, "axpy", "x, y *float32, n int, alpha float32", "$0-28")
		genBinary(w, wd, "add", "dst, x, y *float32, n int", "$0-32")
		genBinary(w, wd, "mul", "dst, x, y *float32, n int", "$0-32")
		genAdam(w, wd)
		genSGD(w, wd)
		genRules(w, wd)
		genLookahead(w, wd)
	}
}

// genBinary: axpy y += alpha*x (product rounded first); add/mul dst = x op y.
func genBinary(w io.Writer, wd width, op, sig, frame string) {
	a := &asm{w: w, name: op + wd.suffix, r: wd.reg}
	fmt.Fprintf(w, "\n// func %s(%s)\n", a.name, sig)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, %s\n", a.name, frame)
	if op == "axpy" {
		a.p("MOVQ x+0(FP), SI")
		a.p("MOVQ y+8(FP), DI")
		a.p("VBROADCASTSS alpha+24(FP), %s", a.v(15))
		a.loop(wd, "n+16(FP)", []string{"SI", "DI"}, func() {
			a.p("VMULPS (SI), %s, %s", a.v(15), a.v(0))
			a.p("VADDPS (DI), %s, %s", a.v(0), a.v(0))
			a.p("VMOVUPS %s, (DI)", a.v(0))
		})
		return
	}
	inst := map[string]string{"add": "VADDPS", "mul": "VMULPS"}[op]
	a.p("MOVQ dst+0(FP), DX")
	a.p("MOVQ x+8(FP), SI")
	a.p("MOVQ y+16(FP), DI")
	a.loop(wd, "n+24(FP)", []string{"DX", "SI", "DI"}, func() {
		a.p("VMOVUPS (SI), %s", a.v(0))
		a.p("%s (DI), %s, %s", inst, a.v(0), a.v(0))
		a.p("VMOVUPS %s, (DX)", a.v(0))
	})
}

// genAdam writes the Adam step; see adamSpec in optstep.go for the
// formula. s points at adamCoef[float32]: beta1, 1-beta1, beta2, 1-beta2,
// sqrt(bias correction 2), eps, -step size, weight decay (L2), decoupled
// decay factor, flags (bit 0: L2 weight decay, bit 1: maximize, bit 2:
// AMSGrad, whose running maximum vmax is then read and written), one loop
// per combination of bits 0 and 2 (flagLoops).
func genAdam(w io.Writer, wd width) {
	a := &asm{w: w, name: "adam" + wd.suffix, r: wd.reg}
	fmt.Fprintf(w, "\n// func %s(p, grad, m, v, vmax *float32, n int, s *adamCoef[float32])\n", a.name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-56\n", a.name)
	a.p("MOVQ p+0(FP), DX")
	a.p("MOVQ grad+8(FP), SI")
	a.p("MOVQ m+16(FP), DI")
	a.p("MOVQ v+24(FP), R8")
	a.p("MOVQ vmax+32(FP), R10")
	a.p("MOVQ s+48(FP), R9")
	// Scalars in registers 5..13, in adamCoef[float32] order.
	for i := range 9 {
		a.p("VBROADCASTSS %d(R9), %s", 4*i, a.v(5+i))
	}
	a.p("MOVL 36(R9), BX")
	a.negSetup(2)
	beta1, omb1, beta2, omb2, bc2, eps, negStep, wdc, decay := a.v(5), a.v(6), a.v(7), a.v(8), a.v(9), a.v(10), a.v(11), a.v(12), a.v(13)
	p, g, m, v, t, vmax := a.v(0), a.v(1), a.v(2), a.v(3), a.v(4), a.v(14)
	a.flagLoops(wd, "n+40(FP)", []string{"DX", "SI", "DI", "R8", "R10"}, []uint32{1, 4}, func(a *asm, on func(uint32) bool) {
		a.p("VMULPS (DX), %s, %s", decay, p) // p *= 1 - lr*wd (1 unless AdamW)
		a.p("VMOVUPS (SI), %s", g)
		a.neg() // g = -g (maximize)
		if on(1) {
			a.p("VMULPS %s, %s, %s", wdc, p, t) // g += wd*p
			a.p("VADDPS %s, %s, %s", t, g, g)
		}
		a.p("VMULPS (DI), %s, %s", beta1, m) // m = beta1*m + (1-beta1)*g
		a.p("VMULPS %s, %s, %s", omb1, g, t)
		a.p("VADDPS %s, %s, %s", t, m, m)
		a.p("VMOVUPS %s, (DI)", m)
		a.p("VMULPS (R8), %s, %s", beta2, v) // v = beta2*v + ((1-beta2)*g)*g
		a.p("VMULPS %s, %s, %s", omb2, g, t)
		a.p("VMULPS %s, %s, %s", g, t, t)
		a.p("VADDPS %s, %s, %s", t, v, v)
		a.p("VMOVUPS %s, (R8)", v)
		if on(4) {
			a.p("VMOVUPS (R10), %s", vmax) // AMSGrad: v = vmax = vmax > v ? vmax : v
			a.p("VMAXPS %s, %s, %s", v, vmax, v)
			a.p("VMOVUPS %s, (R10)", v)
		}
		a.p("VSQRTPS %s, %s", v, t) // denom = sqrt(v)/bc2 + eps
		a.p("VDIVPS %s, %s, %s", bc2, t, t)
		a.p("VADDPS %s, %s, %s", eps, t, t)
		a.p("VMULPS %s, %s, %s", negStep, m, v) // p += (-stepSize*m)/denom
		a.p("VDIVPS %s, %s, %s", t, v, v)
		a.p("VADDPS %s, %s, %s", v, p, p)
		a.p("VMOVUPS %s, (DX)", p)
	})
}

// genSGD writes the SGD step; see sgdSpec in optstep.go. s points at
// sgdCoef[float32]: momentum, 1-dampening, -lr, weight decay, flags (bit 0: L2
// weight decay, bit 1: momentum, bit 2: first step, bit 3: Nesterov, bit 4:
// maximize), one loop per combination of bits 0-3 (flagLoops; without
// momentum, bits 2 and 3 change nothing, as in sgdSpec).
func genSGD(w io.Writer, wd width) {
	a := &asm{w: w, name: "sgd" + wd.suffix, r: wd.reg}
	fmt.Fprintf(w, "\n// func %s(p, grad, buf *float32, n int, s *sgdCoef[float32])\n", a.name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-40\n", a.name)
	a.p("MOVQ p+0(FP), DX")
	a.p("MOVQ grad+8(FP), SI")
	a.p("MOVQ buf+16(FP), DI")
	a.p("MOVQ s+32(FP), R9")
	for i := range 4 {
		a.p("VBROADCASTSS %d(R9), %s", 4*i, a.v(5+i))
	}
	a.p("MOVL 16(R9), BX")
	a.negSetup(16)
	mom, omd, negLR, wdc := a.v(5), a.v(6), a.v(7), a.v(8)
	p, g, b, t := a.v(0), a.v(1), a.v(2), a.v(4)
	a.flagLoops(wd, "n+24(FP)", []string{"DX", "SI", "DI"}, []uint32{1, 2, 4, 8}, func(a *asm, on func(uint32) bool) {
		a.p("VMOVUPS (DX), %s", p)
		a.p("VMOVUPS (SI), %s", g)
		a.neg() // d = -g (maximize)
		if on(1) {
			a.p("VMULPS %s, %s, %s", wdc, p, t) // d = d + wd*p
			a.p("VADDPS %s, %s, %s", t, g, g)
		}
		if on(2) {
			if on(4) {
				a.p("VMOVUPS %s, %s", g, b) // first step: buf = d
			} else {
				a.p("VMULPS (DI), %s, %s", mom, b) // buf = momentum*buf + (1-dampening)*d
				a.p("VMULPS %s, %s, %s", omd, g, t)
				a.p("VADDPS %s, %s, %s", t, b, b)
			}
			a.p("VMOVUPS %s, (DI)", b)
			if on(8) {
				a.p("VMULPS %s, %s, %s", mom, b, t) // Nesterov: d = d + momentum*buf
				a.p("VADDPS %s, %s, %s", t, g, g)
			} else {
				a.p("VMOVUPS %s, %s", b, g) // d = buf
			}
		}
		a.p("VMULPS %s, %s, %s", negLR, g, t) // p += -lr*d
		a.p("VADDPS %s, %s, %s", t, p, p)
		a.p("VMOVUPS %s, (DX)", p)
	})
}
