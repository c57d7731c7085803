package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// reluSpecials are values where ReLU's rules matter: zeros of both signs,
// NaNs of both signs, infinities and subnormals.
var reluSpecials = []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), -float32(math.NaN()),
	float32(math.Inf(1)), float32(math.Inf(-1)), 1e-45, -1e-45, 3, -3,
	math.Float32frombits(0x7f800001), math.Float32frombits(0xff812345)} // signalling NaNs

// TestReLUKernels compares the assembly with the Go specification, bit for
// bit, over random lengths inside guard bands, with the special values
// mixed in, for every instruction set this machine has.
func TestReLUKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, isa := range vectorISAs() {
		withISA(t, isa)
		for _, n := range vectorLengths() {
			name := fmt.Sprintf("isa=%d n=%d", isa, n)
			x, checkX := guardedSlice(rng, n, false)
			for i := range x {
				if rng.IntN(4) == 0 {
					x[i] = reluSpecials[rng.IntN(len(reluSpecials))]
				}
			}
			dst, checkDst := guardedSlice(rng, n, false)
			want := make([]float32, n)
			ReLU(dst, x)
			reluSpec(want, x)
			checkDst(t, name+" ReLU")
			if !equalBits(dst, want) {
				t.Fatalf("%s: ReLU differs from the Go spec: %v, want %v", name, dst, want)
			}
			// The gradient of that ReLU, into a gradient that already holds
			// values (the rule accumulates).
			dy, _ := guardedSlice(rng, n, false)
			dx, checkDx := guardedSlice(rng, n, false)
			wantDx := clone(dx)
			ReLUGrad(dx, dst, dy)
			reluGradSpec(wantDx, dst, dy)
			checkDx(t, name+" ReLUGrad")
			checkX(t, name+" x")
			if !equalBits(dx, wantDx) {
				t.Fatalf("%s: ReLUGrad differs from the Go spec: %v, want %v", name, dx, wantDx)
			}
		}
	}
}

// TestReLUGradRule checks the specification itself against the rule in
// ReLUGrad's comment, in both float types.
func TestReLUGradRule(t *testing.T) {
	ys := []float64{0, math.Copysign(0, -1), 1e-40, 1e-310, 0.5, math.Inf(1), math.NaN(), -math.NaN(), 7}
	checkReLUGradRule[float32](t, ys)
	checkReLUGradRule[float64](t, ys)
}

func checkReLUGradRule[T Float](t *testing.T, ys []float64) {
	y, dy, dx := make([]T, len(ys)), make([]T, len(ys)), make([]T, len(ys))
	for i, v := range ys {
		y[i], dy[i], dx[i] = T(v), T(i+1), 0.25
	}
	ReLUGrad(dx, y, dy)
	for i, v := range y {
		want := T(0.25)
		if v != 0 {
			want += dy[i]
		}
		if dx[i] != want {
			t.Errorf("%T: y = %v: dx = %v, want %v", v, v, dx[i], want)
		}
	}
}

func BenchmarkReLU(b *testing.B) {
	n := 128 * 512
	x, dst, dy := make([]float32, n), make([]float32, n), make([]float32, n)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range x {
		x[i], dy[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	for _, isa := range vectorISAs() {
		old := vectorISA
		vectorISA = isa
		b.Run(fmt.Sprintf("fwd/isa=%d", isa), func(b *testing.B) {
			for b.Loop() {
				ReLU(dst, x)
			}
		})
		b.Run(fmt.Sprintf("grad/isa=%d", isa), func(b *testing.B) {
			ReLU(dst, x)
			for b.Loop() {
				ReLUGrad(x, dst, dy)
			}
		})
		vectorISA = old
	}
}
