//go:build !purego

#include "textflag.h"

// func reluAVX2(dst, x *float32, n int)
//
// dst = max(x, 0) + 0: VMAXPS returns its second source (x, in Intel's
// order) when either is NaN or both are zeros, so a NaN and -0 come
// through as they are; adding +0 quiets the NaN and turns -0 into +0, and
// leaves every other value alone.
TEXT ·reluAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ relu_done
	VXORPS Y0, Y0, Y0
relu_loop:
	VMAXPS (SI), Y0, Y1
	VADDPS Y0, Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ relu_loop
relu_done:
	VZEROUPPER
	RET

// func reluGradAVX2(dx, y, dy *float32, n int)
//
// dx += dy AND NOT (|y| == 0): the magnitude bits of y compared with zero
// give the lanes where the gradient stops.
TEXT ·reluGradAVX2(SB), NOSPLIT, $0-32
	MOVQ dx+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ dy+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ reluGrad_done
	VXORPS Y0, Y0, Y0
	VPCMPEQD Y7, Y7, Y7
	VPSRLD $1, Y7, Y7
reluGrad_loop:
	VPAND (SI), Y7, Y1
	VPCMPEQD Y0, Y1, Y1
	VANDNPS (DX), Y1, Y2
	VADDPS (DI), Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ reluGrad_loop
reluGrad_done:
	VZEROUPPER
	RET
