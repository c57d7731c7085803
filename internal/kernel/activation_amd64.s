//go:build !purego

#include "textflag.h"

// Sigmoid and tanh over float32, 8 at a time (activation.go is the
// specification: the same operations in the same order, a fused
// multiply-add where it writes fma32, every other product rounded before
// its sum). R8 points at actVecs, each constant repeated
// eight times, constant i at 32*i:
//   0 expMin  32 log2e  64 0.5  96 1  128 expC1  160 expC2  192..352 expP0..expP5
//   384 tanhCut  416..544 tanhT0..tanhT4  576 int 127  608 sign mask
// The constants are memory operands of the arithmetic (one instruction,
// no register) rather than broadcast into a register first: the loop is
// long and serial, so how many iterations overlap is set by how many
// registers each allocates, and the broadcasts made a fifth of them.
// Registers kept across the loop: Y15 sign mask, Y14 1, Y13 log2e,
// Y12 0.5, Y11 expMin, Y8 +0.

// EXPNEG sets Y3 = expNeg32(Y2) (Y2 <= 0), clobbering Y2, Y4-Y7.
#define EXPNEG \
	VMAXPS       Y11, Y2, Y2          \ // y = max(y, expMin)
	VMOVAPS      Y2, Y4               \
	VFMADD213PS  Y12, Y13, Y4         \
	VROUNDPS     $9, Y4, Y4           \ // kf = floor(fma(y, log2e, 0.5))
	VFNMADD231PS 128(R8), Y4, Y2      \ // r = fma(-kf, expC1, y)
	VFNMADD231PS 160(R8), Y4, Y2      \ // r = fma(-kf, expC2, r)
	VMULPS       Y2, Y2, Y6           \ // z = r*r
	VMOVUPS      192(R8), Y7          \
	VFMADD213PS  224(R8), Y2, Y7      \
	VFMADD213PS  256(R8), Y2, Y7      \
	VFMADD213PS  288(R8), Y2, Y7      \
	VFMADD213PS  320(R8), Y2, Y7      \
	VFMADD213PS  352(R8), Y2, Y7      \ // p = P(r), Horner's rule in fmas
	VFMADD213PS  Y2, Y6, Y7           \
	VADDPS       Y14, Y7, Y7          \ // fma(p, z, r) + 1
	VCVTTPS2DQ   Y4, Y4               \
	VPADDD       576(R8), Y4, Y4      \
	VPSLLD       $23, Y4, Y4          \ // 2^k
	VMULPS       Y4, Y7, Y3

#define SETUP \
	MOVQ         dst+0(FP), DI \
	MOVQ         x+8(FP), SI   \
	MOVQ         n+16(FP), CX  \
	MOVQ         c+24(FP), R8  \
	VMOVUPS      608(R8), Y15  \
	VMOVUPS      96(R8), Y14   \
	VMOVUPS      32(R8), Y13   \
	VMOVUPS      64(R8), Y12   \
	VMOVUPS      0(R8), Y11    \
	VXORPS       Y8, Y8, Y8

// NANPASS sets Y4 = Y0 + 0 where Y0 is NaN, clobbering Y6, Y7.
#define NANPASS \
	VCMPPS    $3, Y0, Y0, Y6 \
	VADDPS    Y8, Y0, Y7     \
	VBLENDVPS Y6, Y7, Y4, Y4

// func sigmoidAVX2(dst, x *float32, n int, c *[8 * actConstLen]float32)
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-32
	SETUP

sigloop:
	VMOVUPS   (SI), Y0
	VORPS     Y15, Y0, Y2 // y = -|x|
	EXPNEG
	VADDPS    Y14, Y3, Y4
	VDIVPS    Y4, Y14, Y4 // r = 1/(1+e)
	VMULPS    Y4, Y3, Y5  // e*r
	VBLENDVPS Y0, Y5, Y4, Y4 // x's sign set: e*r
	NANPASS
	VMOVUPS   Y4, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	SUBQ      $8, CX
	JNZ       sigloop
	VZEROUPPER
	RET

// func tanhAVX2(dst, x *float32, n int, c *[8 * actConstLen]float32)
TEXT ·tanhAVX2(SB), NOSPLIT, $0-32
	SETUP

tanhloop:
	VMOVUPS      (SI), Y0
	VANDNPS      Y0, Y15, Y1 // a = |x|
	VADDPS       Y1, Y1, Y2
	VORPS        Y15, Y2, Y2 // y = -(a+a)
	EXPNEG
	VSUBPS       Y3, Y14, Y4
	VADDPS       Y14, Y3, Y5
	VDIVPS       Y5, Y4, Y4  // (1-e)/(1+e)
	VMULPS       Y1, Y1, Y9  // z = a*a
	VMOVUPS      416(R8), Y10
	VFMADD213PS  448(R8), Y9, Y10
	VFMADD213PS  480(R8), Y9, Y10
	VFMADD213PS  512(R8), Y9, Y10
	VFMADD213PS  544(R8), Y9, Y10 // p = P(z), Horner's rule in fmas
	VMULPS       Y9, Y10, Y10
	VFMADD213PS  Y1, Y1, Y10 // fma(p*z, a, a)
	VCMPPS       $1, 384(R8), Y1, Y6 // a < tanhCut
	VBLENDVPS    Y6, Y10, Y4, Y4
	VANDPS       Y15, Y0, Y5
	VORPS        Y5, Y4, Y4  // x's sign
	NANPASS
	VMOVUPS      Y4, (DI)
	ADDQ         $32, SI
	ADDQ         $32, DI
	SUBQ         $8, CX
	JNZ          tanhloop
	VZEROUPPER
	RET
