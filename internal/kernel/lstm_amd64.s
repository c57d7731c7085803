//go:build !purego

#include "textflag.h"

// func lstmBackwardAVX2(dgates, gates, tc, cp, dout, dh, dc *float32, n, m int)
//
// lstmBackwardSpec, 8 elements at a time, products rounded in the spec's
// order (no FMA). Pointers advance together; CX is the gate blocks'
// stride in bytes, so block f of gates is (SI)(CX*1), g is (R13), o is
// (R13)(CX*1), and the same for dgates with DI and DX. AX says whether
// cp is given.
TEXT ·lstmBackwardAVX2(SB), NOSPLIT, $0-72
	MOVQ dgates+0(FP), DI
	MOVQ gates+8(FP), SI
	MOVQ tc+16(FP), R8
	MOVQ cp+24(FP), R9
	MOVQ dout+32(FP), R10
	MOVQ dh+40(FP), R11
	MOVQ dc+48(FP), R12
	MOVQ n+56(FP), CX
	MOVQ m+64(FP), BX
	SHLQ $2, CX
	LEAQ (SI)(CX*2), R13
	LEAQ (DI)(CX*2), DX
	MOVQ R9, AX
	MOVL $0x3f800000, R9   // 1.0
	MOVQ R9, X15
	VPBROADCASTD X15, Y15
	MOVQ AX, R9

loop:
	VMOVUPS (R10), Y0
	VADDPS  (R11), Y0, Y0    // dh' = dout + dh
	VMOVUPS (R8), Y1         // tc
	VMOVUPS (R13)(CX*1), Y2  // o
	VMULPS  Y2, Y0, Y3
	VMULPS  Y1, Y1, Y4
	VSUBPS  Y4, Y15, Y4
	VMULPS  Y4, Y3, Y3
	VADDPS  (R12), Y3, Y3    // dc' = dc + dh'*o*(1-tc*tc)
	VMOVUPS (SI), Y5         // i
	VMOVUPS (R13), Y6        // g
	VMULPS  Y6, Y3, Y7
	VMULPS  Y5, Y7, Y7
	VSUBPS  Y5, Y15, Y8
	VMULPS  Y8, Y7, Y7
	VMOVUPS Y7, (DI)         // di = dc'*g*i*(1-i)
	VMULPS  Y5, Y3, Y7
	VMULPS  Y6, Y6, Y8
	VSUBPS  Y8, Y15, Y8
	VMULPS  Y8, Y7, Y7
	VMOVUPS Y7, (DX)         // dg = dc'*i*(1-g*g)
	VMULPS  Y1, Y0, Y7
	VMULPS  Y2, Y7, Y7
	VSUBPS  Y2, Y15, Y8
	VMULPS  Y8, Y7, Y7
	VMOVUPS Y7, (DX)(CX*1)   // do = dh'*tc*o*(1-o)
	VMOVUPS (SI)(CX*1), Y9   // f
	VMULPS  Y9, Y3, Y7
	VMOVUPS Y7, (R12)        // dc = dc'*f
	TESTQ   AX, AX
	JZ      nocp
	VMULPS  (R9), Y3, Y7
	VMULPS  Y9, Y7, Y7
	VSUBPS  Y9, Y15, Y8
	VMULPS  Y8, Y7, Y7       // df = dc'*cp*f*(1-f)
	JMP     store

nocp:
	VXORPS Y7, Y7, Y7

store:
	VMOVUPS Y7, (DI)(CX*1)
	ADDQ    $32, SI
	ADDQ    $32, R13
	ADDQ    $32, DI
	ADDQ    $32, DX
	ADDQ    $32, R8
	ADDQ    $32, R9
	ADDQ    $32, R10
	ADDQ    $32, R11
	ADDQ    $32, R12
	SUBQ    $8, BX
	JNZ     loop
	VZEROUPPER
	RET
