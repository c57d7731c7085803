package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestPackedBMatchesGemm: a product with a packed B gives Gemm's bits, for
// every kernel (with tiny blocks too, so the packed blocks cross every
// loop), transpose and scalar case, whether the rows go in one call or in
// two parts, and when one PackedB is reused for a differently shaped B.
func TestPackedBMatchesGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	var p PackedB[float32]
	for _, tc := range gemmCases(true) {
		a, b, c, want := tc.operands(rng)
		a0, b0, c0 := clone(a.buf), clone(b.buf), clone(c.buf)
		for _, kern := range testKernels() {
			withKernel(t, kern)
			name := fmt.Sprintf("%s %v", kern.name, tc)
			copy(c.buf, c0)
			Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a.data(), a.ld, b.data(), b.ld, tc.beta, c.data(), c.ld)
			ref := clone(c.buf)
			p.Pack(tc.transB, tc.k, tc.n, b.data(), b.ld)
			for _, split := range []int{tc.m, tc.m / 2} {
				copy(c.buf, c0)
				for _, rows := range [][2]int{{0, split}, {split, tc.m}} {
					ai := rows[0] * a.ld
					if tc.transA {
						ai = rows[0]
					}
					if rows[1] == rows[0] {
						continue
					}
					ad, cd := a.data(), c.data()
					p.Gemm(tc.transA, rows[1]-rows[0], tc.alpha, ad[min(ai, len(ad)):], a.ld, tc.beta, cd[min(rows[0]*c.ld, len(cd)):], c.ld)
				}
				tc.check(t, name+" packed", a, b, c, want, a0, b0)
				if tc.m*tc.n*tc.k >= minPackedWork && !swapWins(kern, tc.m, tc.n) && !equalBits(c.buf, ref) {
					t.Fatalf("%s split at %d: packed B differs from Gemm", name, split)
				}
			}
		}
	}
}

// TestPackedBFloat64 checks the float64 form (the generic loop on B as
// stored) against Gemm.
func TestPackedBFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	m, n, k := 7, 9, 5
	a, b := make([]float64, m*k), make([]float64, n*k)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	want, got := make([]float64, m*n), make([]float64, m*n)
	Gemm(false, true, m, n, k, 1, a, k, b, k, 0, want, n)
	var p PackedB[float64]
	p.Pack(true, k, n, b, k)
	p.Gemm(false, m, 1, a, k, 0, got, n)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("C[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestPackedBAllocatesNothing(t *testing.T) {
	m, n, k := 64, 512, 128
	a, b, c := make([]float32, m*k), make([]float32, n*k), make([]float32, m*n)
	var p PackedB[float32]
	p.Pack(true, k, n, b, k)
	p.Gemm(false, m, 1, a, k, 0, c, n)
	if allocs := testing.AllocsPerRun(10, func() {
		p.Pack(true, k, n, b, k)
		p.Gemm(false, m, 1, a, k, 1, c, n)
	}); allocs != 0 {
		t.Errorf("warm Pack and Gemm allocate %v times", allocs)
	}
}
