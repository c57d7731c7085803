//go:build !purego

#include "textflag.h"

// Sigmoid and tanh over float32, 8 at a time (activation.go is the
// specification: the same operations in the same order, products rounded
// before sums, so no FMA). R8 points at actConsts; offsets:
//   0 expMin  4 log2e  8 0.5  12 1  16 expC1  20 expC2  24..44 expP0..expP5
//   48 tanhCut  52..68 tanhT0..tanhT4  72 int 127  76 sign mask
// Registers kept across the loop: Y15 sign mask, Y14 1, Y13 log2e,
// Y12 0.5, Y11 expMin, Y8 +0.

// EXPNEG sets Y3 = expNeg32(Y2) (Y2 <= 0), clobbering Y2, Y4-Y7.
#define EXPNEG \
	VMAXPS       Y11, Y2, Y2  \ // y = max(y, expMin)
	VMULPS       Y13, Y2, Y4  \
	VADDPS       Y12, Y4, Y4  \
	VROUNDPS     $9, Y4, Y4   \ // kf = floor(y*log2e + 0.5)
	VBROADCASTSS 16(R8), Y5   \
	VMULPS       Y4, Y5, Y5   \
	VSUBPS       Y5, Y2, Y2   \ // r = y - kf*expC1
	VBROADCASTSS 20(R8), Y5   \
	VMULPS       Y4, Y5, Y5   \
	VSUBPS       Y5, Y2, Y2   \ // r -= kf*expC2
	VMULPS       Y2, Y2, Y6   \ // z = r*r
	VBROADCASTSS 24(R8), Y7   \
	VMULPS       Y2, Y7, Y7   \
	VBROADCASTSS 28(R8), Y5   \
	VADDPS       Y5, Y7, Y7   \
	VMULPS       Y2, Y7, Y7   \
	VBROADCASTSS 32(R8), Y5   \
	VADDPS       Y5, Y7, Y7   \
	VMULPS       Y2, Y7, Y7   \
	VBROADCASTSS 36(R8), Y5   \
	VADDPS       Y5, Y7, Y7   \
	VMULPS       Y2, Y7, Y7   \
	VBROADCASTSS 40(R8), Y5   \
	VADDPS       Y5, Y7, Y7   \
	VMULPS       Y2, Y7, Y7   \
	VBROADCASTSS 44(R8), Y5   \
	VADDPS       Y5, Y7, Y7   \ // p = P(r)
	VMULPS       Y6, Y7, Y7   \
	VADDPS       Y2, Y7, Y7   \
	VADDPS       Y14, Y7, Y7  \ // (p*z + r) + 1
	VCVTTPS2DQ   Y4, Y4       \
	VPBROADCASTD 72(R8), Y5   \
	VPADDD       Y5, Y4, Y4   \
	VPSLLD       $23, Y4, Y4  \ // 2^k
	VMULPS       Y4, Y7, Y3

#define SETUP \
	MOVQ         dst+0(FP), DI \
	MOVQ         x+8(FP), SI   \
	MOVQ         n+16(FP), CX  \
	MOVQ         c+24(FP), R8  \
	VBROADCASTSS 76(R8), Y15   \
	VBROADCASTSS 12(R8), Y14   \
	VBROADCASTSS 4(R8), Y13    \
	VBROADCASTSS 8(R8), Y12    \
	VBROADCASTSS 0(R8), Y11    \
	VXORPS       Y8, Y8, Y8

// NANPASS sets Y4 = Y0 + 0 where Y0 is NaN, clobbering Y6, Y7.
#define NANPASS \
	VCMPPS    $3, Y0, Y0, Y6 \
	VADDPS    Y8, Y0, Y7     \
	VBLENDVPS Y6, Y7, Y4, Y4

// func sigmoidAVX2(dst, x *float32, n int, c *[actConstLen]float32)
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

// func tanhAVX2(dst, x *float32, n int, c *[actConstLen]float32)
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
	VBROADCASTSS 52(R8), Y10
	VMULPS       Y9, Y10, Y10
	VBROADCASTSS 56(R8), Y5
	VADDPS       Y5, Y10, Y10
	VMULPS       Y9, Y10, Y10
	VBROADCASTSS 60(R8), Y5
	VADDPS       Y5, Y10, Y10
	VMULPS       Y9, Y10, Y10
	VBROADCASTSS 64(R8), Y5
	VADDPS       Y5, Y10, Y10
	VMULPS       Y9, Y10, Y10
	VBROADCASTSS 68(R8), Y5
	VADDPS       Y5, Y10, Y10 // p = P(z)
	VMULPS       Y9, Y10, Y10
	VMULPS       Y1, Y10, Y10
	VADDPS       Y1, Y10, Y10 // (p*z)*a + a
	VBROADCASTSS 48(R8), Y5
	VCMPPS       $1, Y5, Y1, Y6 // a < tanhCut
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
