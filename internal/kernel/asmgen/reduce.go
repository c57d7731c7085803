package main

import (
	"fmt"
	"io"
)

// genReduce writes the float32 -> float64 reductions of reduce.go, AVX2
// only (an AVX-512 machine runs them too; the sums are memory-bound). Each
// trip takes 16 floats into 16 float64 lanes held in four ymm accumulators
// (lane k sums the elements i ≡ k mod 16), with separate multiply and add
// as the Go spec rounds them; the end folds the lanes in the spec's order:
//
//	t[j] = (a[j]+a[j+4]) + (a[j+8]+a[j+12]), sum = (t[0]+t[2]) + (t[1]+t[3])
//
//	func momentsAVX2(x *float32, n int, shift float64) (sum, sq float64)
//	func sqdistAVX2(x, y *float32, n int) (sq float64)
//
// n is a multiple of 16; the Go wrappers add the tail.
func genReduce(w io.Writer) {
	a := &asm{w: w, name: "momentsAVX2", r: "Y"}
	fmt.Fprintf(w, "\n// func momentsAVX2(x *float32, n int, shift float64) (sum, sq float64)\n")
	fmt.Fprintf(w, "TEXT ·momentsAVX2(SB), NOSPLIT, $0-40\n")
	a.p("MOVQ x+0(FP), SI")
	a.p("MOVQ n+8(FP), CX")
	a.p("VBROADCASTSD shift+16(FP), Y12")
	a.reduceLoop(8, func() {
		for k := range 4 {
			a.p("VCVTPS2PD %d(SI), Y%d", 16*k, 8+k)
		}
		for k := range 4 {
			a.p("VSUBPD Y12, Y%d, Y%d", 8+k, 8+k)  // d = x - shift
			a.p("VADDPD Y%d, Y%d, Y%d", 8+k, k, k) // s += d
			a.p("VMULPD Y%d, Y%d, Y%d", 8+k, 8+k, 8+k)
			a.p("VADDPD Y%d, Y%d, Y%d", 8+k, 4+k, 4+k) // q += d*d
		}
		a.p("ADDQ $64, SI")
	})
	a.fold(0, "sum+24(FP)")
	a.fold(4, "sq+32(FP)")
	a.p("VZEROUPPER")
	a.p("RET")

	a = &asm{w: w, name: "sqdistAVX2", r: "Y"}
	fmt.Fprintf(w, "\n// func sqdistAVX2(x, y *float32, n int) (sq float64)\n")
	fmt.Fprintf(w, "TEXT ·sqdistAVX2(SB), NOSPLIT, $0-32\n")
	a.p("MOVQ x+0(FP), SI")
	a.p("MOVQ y+8(FP), DI")
	a.p("MOVQ n+16(FP), CX")
	a.reduceLoop(4, func() {
		for k := range 4 {
			a.p("VCVTPS2PD %d(SI), Y%d", 16*k, 4+k)
			a.p("VCVTPS2PD %d(DI), Y%d", 16*k, 8+k)
		}
		for k := range 4 {
			a.p("VSUBPD Y%d, Y%d, Y%d", 8+k, 4+k, 4+k) // d = x - y
			a.p("VMULPD Y%d, Y%d, Y%d", 4+k, 4+k, 4+k)
			a.p("VADDPD Y%d, Y%d, Y%d", 4+k, k, k) // q += d*d
		}
		a.p("ADDQ $64, SI")
		a.p("ADDQ $64, DI")
	})
	a.fold(0, "sq+24(FP)")
	a.p("VZEROUPPER")
	a.p("RET")
}

// reduceLoop zeroes accumulators Y0..Y(acc-1) and runs body n/16 times, n
// in CX.
func (a *asm) reduceLoop(acc int, body func()) {
	for k := range acc {
		a.p("VXORPD Y%d, Y%d, Y%d", k, k, k)
	}
	a.p("SHRQ $4, CX")
	a.p("TESTQ CX, CX")
	a.p("JZ %s", a.l("done"))
	a.label("loop")
	body()
	a.p("DECQ CX")
	a.p("JNZ %s", a.l("loop"))
	a.label("done")
}

// fold adds the 16 lanes of Y(r)..Y(r+3) in the spec's order and stores
// the sum at dst.
func (a *asm) fold(r int, dst string) {
	a.p("VADDPD Y%d, Y%d, Y%d", r+1, r, r)
	a.p("VADDPD Y%d, Y%d, Y%d", r+3, r+2, r+2)
	a.p("VADDPD Y%d, Y%d, Y%d", r+2, r, r)
	a.p("VEXTRACTF128 $1, Y%d, X13", r)
	a.p("VADDPD X13, X%d, X%d", r, r)
	a.p("VPERMILPD $1, X%d, X13", r)
	a.p("VADDSD X13, X%d, X%d", r, r)
	a.p("VMOVSD X%d, %s", r, dst)
}
