//go:build !purego

package kernel

import (
	"math"

	"golang.org/x/sys/cpu"
)

// actFMA says whether the CPU has the FMA the kernels use; every AVX2 CPU
// but a few early VIA ones has.
var actFMA = cpu.X86.HasFMA

// The sigmoid and tanh kernels of activation_amd64.s (hand-written, AVX2
// and FMA, the same operations as the Go specification so that they match
// it bit for bit; on an AVX-512 machine they run too). n is a multiple of
// 8; c is actVecs.

//go:noescape
func sigmoidAVX2(dst, x *float32, n int, c *[8 * actConstLen]float32)

//go:noescape
func tanhAVX2(dst, x *float32, n int, c *[8 * actConstLen]float32)

// actConsts are the specification's constants in the order the assembly
// reads them (from actVecs, offsets 32*i); 127 is an integer, stored as its bits.
var actConsts = [actConstLen]float32{
	expMin, log2e, 0.5, 1, expC1, expC2, expP0, expP1, expP2, expP3, expP4, expP5,
	tanhCut, tanhT0, tanhT1, tanhT2, tanhT3, tanhT4, math.Float32frombits(127), math.Float32frombits(signMask),
}

const actConstLen = 20

// actVecs is actConsts with each constant repeated eight times, one ymm
// register's worth, so that the assembly can use it as an operand.
var actVecs = func() (v [8 * actConstLen]float32) {
	for i, c := range actConsts {
		for j := range 8 {
			v[8*i+j] = c
		}
	}
	return v
}()

func sigmoid32(dst, x []float32) {
	n := 0
	if vectorISA != 0 && actFMA {
		if n = len(dst) &^ 7; n > 0 {
			_ = x[n-1]
			sigmoidAVX2(&dst[0], &x[0], n, &actVecs)
		}
	}
	sigmoidSpec32(dst[n:], x[n:])
}

func tanh32(dst, x []float32) {
	n := 0
	if vectorISA != 0 && actFMA {
		if n = len(dst) &^ 7; n > 0 {
			_ = x[n-1]
			tanhAVX2(&dst[0], &x[0], n, &actVecs)
		}
	}
	tanhSpec32(dst[n:], x[n:])
}
