//go:build !purego

#include "textflag.h"

// func prefetchT0(p unsafe.Pointer, n int)
//
// One PREFETCHT0 per 64-byte line from the line holding p to the one
// holding its last byte.
TEXT ·prefetchT0(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	LEAQ -1(SI)(CX*1), CX // last byte
	ANDQ $-64, SI
	ANDQ $-64, CX

loop:
	PREFETCHT0 (SI)
	ADDQ       $64, SI
	CMPQ       SI, CX
	JLE        loop
	RET
