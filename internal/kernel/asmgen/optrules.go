package main

import (
	"fmt"
	"io"
)

// The fused steps of optstep_rules.go. Each has the Go signature
//
//	func nameISA(p, grad, a, b, c *float32, n int, s *nameCoef[float32])
//
// (a, b, c the rule's state arrays; one the rule does not use points at p
// and is not read); s's float32 fields are broadcast into registers from 5
// on, in field order, and its flags word follows them. Like the Adam and
// SGD kernels they do each rounded operation of the Go spec in the spec's
// operand order, so every flag combination runs here and matches the spec
// bit for bit. Each combination of the flags that change the rule has a
// loop of its own, chosen once per call (flagLoops); maximize is an XOR
// with a mask chosen before the loop (negSetup), so no flag is tested per
// vector.

// rule opens a kernel: loads the pointers (p, grad and the first states
// of a, b, c) and the scalars, runs setup (if not nil), then writes one
// loop per combination of the flag bits in bits;
// body writes one vector's work with p in register 0 and g in 1, the
// scalars in s and on(bit) telling whether a flag is set in this loop.
func rule(w io.Writer, wd width, name string, states, scalars int, bits []uint32, setup func(a *asm),
	body func(a *asm, s []string, on func(uint32) bool)) {
	a := &asm{w: w, name: name + wd.suffix, r: wd.reg}
	fmt.Fprintf(w, "\n// func %s(p, grad, a, b, c *float32, n int, s *%sCoef[float32])\n", a.name, name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-56\n", a.name)
	ptrs := []string{"DX", "SI", "DI", "R8", "R10"}[:2+states]
	for i, arg := range []string{"p", "grad", "a", "b", "c"}[:2+states] {
		a.p("MOVQ %s+%d(FP), %s", arg, 8*i, ptrs[i])
	}
	a.p("MOVQ s+48(FP), R9")
	if 5+scalars > 15 {
		panic("asmgen: " + a.name + ": register 15 holds the maximize sign mask")
	}
	s := make([]string, scalars)
	for i := range s {
		s[i] = a.v(5 + i)
		a.p("VBROADCASTSS %d(R9), %s", 4*i, s[i])
	}
	a.p("MOVL %d(R9), BX", 4*scalars)
	a.negSetup(2)
	if setup != nil {
		setup(a)
	}
	a.flagLoops(wd, "n+40(FP)", ptrs, bits, func(v *asm, on func(uint32) bool) {
		v.p("VMOVUPS (DX), %s", v.v(0))
		v.p("VMOVUPS (SI), %s", v.v(1))
		body(v, s, on)
		v.p("VMOVUPS %s, (DX)", v.v(0))
	})
}

// flagLoops writes one counted loop (a.loop) per combination of the flag
// bits in bits, each ending in the kernel's return, and before them the
// choice: the flags word in BX, masked to bits, selects the loop, the one
// with no flag set first so that it is reached without a jump. body writes
// one vector's work for the combination, on(bit) telling which flags are
// set, on an asm whose labels are the loop's own.
func (a *asm) flagLoops(wd width, nArg string, ptrs []string, bits []uint32, body func(v *asm, on func(uint32) bool)) {
	combos := []uint32{0}
	for _, b := range bits {
		for _, c := range combos {
			combos = append(combos, c|b)
		}
	}
	if len(combos) > 1 {
		a.p("MOVL BX, AX")
		a.p("ANDL $%d, AX", combos[len(combos)-1])
		for _, c := range combos[1:] {
			a.p("CMPL AX, $%d", c)
			a.p("JEQ %s", a.l(fmt.Sprintf("f%d", c)))
		}
	}
	for _, c := range combos {
		if c != 0 {
			a.label(fmt.Sprintf("f%d", c))
		}
		v := &asm{w: a.w, name: fmt.Sprintf("%s_f%d", a.name, c), r: a.r}
		v.loop(wd, nArg, ptrs, func() { body(v, func(b uint32) bool { return c&b != 0 }) })
	}
}

// grad emits the shared gradient flags of gradOf: g = -g (the XOR of
// negSetup(2)), then g = g + T(wd*p) when the loop has flag bit 0, with t
// as scratch.
func (a *asm) grad(wd, t string, on func(uint32) bool) {
	a.neg()
	if on(1) {
		a.p("VMULPS %s, %s, %s", a.v(0), wd, t)
		a.p("VADDPS %s, %s, %s", t, a.v(1), a.v(1))
	}
}

// negSetup emits, before a kernel's loop, register 15 = the sign bits
// when flag bit is set in BX (maximize), else zeros, which neg then XORs
// into the gradient: no branch in the loop.
func (a *asm) negSetup(bit int) {
	a.p("%s %s, %s, %s", a.xor(), a.v(15), a.v(15), a.v(15))
	a.p("TESTL $%d, BX", bit)
	a.p("JZ %s", a.l("ascend"))
	a.p("VMOVUPS signbits<>(SB), %s", a.v(15))
	a.label("ascend")
}

// neg emits g = g XOR register 15 (register 1): -g, flipping the sign bit
// as Go's unary minus does, when maximizing; g unchanged otherwise.
func (a *asm) neg() {
	a.p("%s %s, %s, %s", a.xor(), a.v(15), a.v(1), a.v(1))
}

// xor returns the bitwise XOR of the register width (VXORPS on zmm needs
// AVX512DQ; VPXORD is AVX512F).
func (a *asm) xor() string { return map[string]string{"Z": "VPXORD", "Y": "VXORPS"}[a.r] }

// genSignBits writes the constant negSetup reads: 16 float32 sign bits,
// one vector of either width.
func genSignBits(w io.Writer) {
	fmt.Fprintln(w)
	for i := range 16 {
		fmt.Fprintf(w, "DATA signbits<>+%d(SB)/4, $0x80000000\n", 4*i)
	}
	fmt.Fprintln(w, "GLOBL signbits<>(SB), RODATA|NOPTR, $64")
}

// ema emits x = T(x*beta) + T(omb*g) for x at mem, in register x, stored.
func (a *asm) ema(mem, x, beta, omb, t string) {
	a.p("VMOVUPS %s, %s", mem, x)
	a.p("VMULPS %s, %s, %s", beta, x, x)
	a.p("VMULPS %s, %s, %s", a.v(1), omb, t)
	a.p("VADDPS %s, %s, %s", t, x, x)
	a.p("VMOVUPS %s, %s", x, mem)
}

// emaSq emits x = T(x*beta) + T(T(omb*g)*g) for x at mem, stored.
func (a *asm) emaSq(mem, x, beta, omb, t string) {
	a.p("VMOVUPS %s, %s", mem, x)
	a.p("VMULPS %s, %s, %s", beta, x, x)
	a.p("VMULPS %s, %s, %s", a.v(1), omb, t)
	a.p("VMULPS %s, %s, %s", a.v(1), t, t)
	a.p("VADDPS %s, %s, %s", t, x, x)
	a.p("VMOVUPS %s, %s", x, mem)
}

func genRules(w io.Writer, wd width) {
	// Adagrad: negLR, eps, wd.
	rule(w, wd, "adagrad", 1, 3, []uint32{1}, nil, func(a *asm, s []string, on func(uint32) bool) {
		negLR, eps, wdc := s[0], s[1], s[2]
		p, g, x, t, u := a.v(0), a.v(1), a.v(2), a.v(3), a.v(4)
		a.grad(wdc, t, on)
		a.p("VMULPS %s, %s, %s", g, g, t) // sum = sum + T(g*g)
		a.p("VMOVUPS (DI), %s", x)
		a.p("VADDPS %s, %s, %s", t, x, x)
		a.p("VMOVUPS %s, (DI)", x)
		a.p("VSQRTPS %s, %s", x, t) // std = sqrt(sum) + eps
		a.p("VADDPS %s, %s, %s", eps, t, t)
		a.p("VMULPS %s, %s, %s", g, negLR, u) // p += T(-lr*g)/std
		a.p("VDIVPS %s, %s, %s", t, u, u)
		a.p("VADDPS %s, %s, %s", u, p, p)
	})
	// RMSprop: alpha, 1-alpha, eps, -lr, wd, momentum; a = sq, b = buf,
	// c = gavg; flag bit 2: centered, bit 3: momentum.
	rule(w, wd, "rmsprop", 3, 6, []uint32{1, 4, 8}, nil, func(a *asm, s []string, on func(uint32) bool) {
		alpha, oma, eps, negLR, wdc, mu := s[0], s[1], s[2], s[3], s[4], s[5]
		p, g, x, t, u := a.v(0), a.v(1), a.v(2), a.v(3), a.v(4)
		a.grad(wdc, t, on)
		a.emaSq("(DI)", x, alpha, oma, t)
		if on(4) {
			a.ema("(R10)", u, alpha, oma, t)  // gavg = T(gavg*alpha) + T(oma*g)
			a.p("VMULPS %s, %s, %s", u, u, t) // sq - T(gavg*gavg)
			a.p("VSUBPS %s, %s, %s", t, x, x)
		}
		a.p("VSQRTPS %s, %s", x, x) // avg = sqrt(...) + eps
		a.p("VADDPS %s, %s, %s", eps, x, x)
		if on(8) {
			a.p("VMOVUPS (R8), %s", u) // buf = T(buf*mu) + T(g/avg)
			a.p("VMULPS %s, %s, %s", mu, u, u)
			a.p("VDIVPS %s, %s, %s", x, g, t)
			a.p("VADDPS %s, %s, %s", t, u, u)
			a.p("VMOVUPS %s, (R8)", u)
			a.p("VMULPS %s, %s, %s", u, negLR, t) // p += T(-lr*buf)
			a.p("VADDPS %s, %s, %s", t, p, p)
		} else {
			a.p("VMULPS %s, %s, %s", g, negLR, t) // p += T(T(-lr*g)/avg)
			a.p("VDIVPS %s, %s, %s", x, t, t)
			a.p("VADDPS %s, %s, %s", t, p, p)
		}
	})
	// Adadelta: rho, 1-rho, eps, -lr, wd; a = sq, b = acc.
	rule(w, wd, "adadelta", 2, 5, []uint32{1}, nil, func(a *asm, s []string, on func(uint32) bool) {
		rho, omr, eps, negLR, wdc := s[0], s[1], s[2], s[3], s[4]
		p, x, t, u := a.v(0), a.v(2), a.v(3), a.v(4)
		a.grad(wdc, t, on)
		a.emaSq("(DI)", x, rho, omr, t)
		a.p("VADDPS %s, %s, %s", eps, x, t) // std = sqrt(sq + eps)
		a.p("VSQRTPS %s, %s", t, t)
		a.p("VMOVUPS (R8), %s", x) // delta = T(sqrt(acc + eps)/std) * g
		a.p("VADDPS %s, %s, %s", eps, x, u)
		a.p("VSQRTPS %s, %s", u, u)
		a.p("VDIVPS %s, %s, %s", t, u, u)
		a.p("VMULPS %s, %s, %s", a.v(1), u, u)
		a.p("VMULPS %s, %s, %s", rho, x, x) // acc = T(acc*rho) + T(T((1-rho)*delta)*delta)
		a.p("VMULPS %s, %s, %s", u, omr, t)
		a.p("VMULPS %s, %s, %s", u, t, t)
		a.p("VADDPS %s, %s, %s", t, x, x)
		a.p("VMOVUPS %s, (R8)", x)
		a.p("VMULPS %s, %s, %s", u, negLR, t) // p += T(-lr*delta)
		a.p("VADDPS %s, %s, %s", t, p, p)
	})
	// Adamax: b1, 1-b1, b2, eps, -lr, wd, then the flags and the abs mask.
	mask := wd.reg + "11"
	rule(w, wd, "adamax", 2, 6, []uint32{1}, func(a *asm) {
		a.p("VBROADCASTSS 28(R9), %s", mask)
	}, func(a *asm, s []string, on func(uint32) bool) {
		b1, omb1, b2, eps, negLR, wdc := s[0], s[1], s[2], s[3], s[4], s[5]
		p, g, m, t, u := a.v(0), a.v(1), a.v(2), a.v(3), a.v(4)
		a.grad(wdc, t, on)
		a.ema("(DI)", m, b1, omb1, t)
		a.p("VMOVUPS (R8), %s", u) // u = max(T(u*b2), T(|g|+eps)), MAXPS's order
		a.p("VMULPS %s, %s, %s", b2, u, u)
		and := map[string]string{"Z": "VPANDD", "Y": "VPAND"}[wd.reg]
		a.p("%s %s, %s, %s", and, mask, g, t)
		a.p("VADDPS %s, %s, %s", eps, t, t)
		a.p("VMAXPS %s, %s, %s", t, u, u)
		a.p("VMOVUPS %s, (R8)", u)
		a.p("VMULPS %s, %s, %s", m, negLR, t) // p += T(T(-lr*m)/u)
		a.p("VDIVPS %s, %s, %s", u, t, t)
		a.p("VADDPS %s, %s, %s", t, p, p)
	})
	// NAdam: b1, 1-b1, b2, 1-b2, bc2, eps, -lrGrad, -lrMomentum, wd.
	rule(w, wd, "nadam", 2, 9, []uint32{1}, nil, func(a *asm, s []string, on func(uint32) bool) {
		b1, omb1, b2, omb2, bc2, eps, cg, cm, wdc := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8]
		p, g, m, v, t, u := a.v(0), a.v(1), a.v(2), a.v(3), a.v(4), a.v(14)
		a.grad(wdc, t, on)
		a.ema("(DI)", m, b1, omb1, t)
		a.emaSq("(R8)", v, b2, omb2, t)
		a.p("VDIVPS %s, %s, %s", bc2, v, t) // d = sqrt(T(v/bc2)) + eps
		a.p("VSQRTPS %s, %s", t, t)
		a.p("VADDPS %s, %s, %s", eps, t, t)
		a.p("VMULPS %s, %s, %s", g, cg, u) // p += T(cg*g)/d
		a.p("VDIVPS %s, %s, %s", t, u, u)
		a.p("VADDPS %s, %s, %s", u, p, p)
		a.p("VMULPS %s, %s, %s", m, cm, u) // p += T(cm*m)/d
		a.p("VDIVPS %s, %s, %s", t, u, u)
		a.p("VADDPS %s, %s, %s", u, p, p)
	})
	// RAdam: b1, 1-b1, b2, 1-b2, eps, wd, bc1, lr, rect, sqrt(bc2); flag
	// bit 2: rectified.
	rule(w, wd, "radam", 2, 10, []uint32{1, 4}, nil, func(a *asm, s []string, on func(uint32) bool) {
		b1, omb1, b2, omb2, eps, wdc, bc1, lr, rect, bc2 := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9]
		p, m, v, t, u := a.v(0), a.v(2), a.v(3), a.v(4), a.v(1) // g is dead after the moments
		a.grad(wdc, t, on)
		a.ema("(DI)", m, b1, omb1, t)
		a.emaSq("(R8)", v, b2, omb2, t)
		a.p("VDIVPS %s, %s, %s", bc1, m, t) // t = T(T(m/bc1)*lr)
		a.p("VMULPS %s, %s, %s", lr, t, t)
		if on(4) {
			a.p("VSQRTPS %s, %s", v, u) // t = T(T(t*T(bc2/T(sqrt(v)+eps)))*rect)
			a.p("VADDPS %s, %s, %s", eps, u, u)
			a.p("VDIVPS %s, %s, %s", u, bc2, u)
			a.p("VMULPS %s, %s, %s", u, t, t)
			a.p("VMULPS %s, %s, %s", rect, t, t)
		}
		a.p("VSUBPS %s, %s, %s", t, p, p) // p -= t
	})
}

// genLookahead writes Lookahead's synchronization, lookaheadSpec:
//
//	func lookaheadISA(fast, slow *float32, n int, alpha float32)
func genLookahead(w io.Writer, wd width) {
	a := &asm{w: w, name: "lookahead" + wd.suffix, r: wd.reg}
	fmt.Fprintf(w, "\n// func %s(fast, slow *float32, n int, alpha float32)\n", a.name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-28\n", a.name)
	a.p("MOVQ fast+0(FP), DX")
	a.p("MOVQ slow+8(FP), DI")
	a.p("VBROADCASTSS alpha+24(FP), %s", a.v(15))
	f, s, t := a.v(0), a.v(1), a.v(2)
	a.loop(wd, "n+16(FP)", []string{"DX", "DI"}, func() {
		a.p("VMOVUPS (DX), %s", f) // slow = slow + T(alpha*T(fast-slow))
		a.p("VMOVUPS (DI), %s", s)
		a.p("VSUBPS %s, %s, %s", s, f, t)
		a.p("VMULPS %s, %s, %s", t, a.v(15), t)
		a.p("VADDPS %s, %s, %s", t, s, s)
		a.p("VMOVUPS %s, (DI)", s) // fast = slow
		a.p("VMOVUPS %s, (DX)", s)
	})
}
