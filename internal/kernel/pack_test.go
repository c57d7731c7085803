package kernel

import (
	"fmt"
	"testing"
)

// TestPackTransposed checks the transposing packer, with the assembly
// transpose where this machine has it, against the definition
// panel[p*r+j] = src[(x0+j)*ld+k0+p], over widths and depths that do and
// do not fill whole 16×16 blocks (or pack6's blocks of 8 or 16 columns);
// the panel's padding must stay untouched.
func TestPackTransposed(t *testing.T) {
	for _, tc := range []struct{ w, kc, r int }{
		{64, 128, 64}, {64, 16, 64}, {64, 17, 64}, {48, 35, 48}, {33, 40, 64},
		{16, 5, 16}, {6, 100, 6}, {6, 7, 6}, {6, 8, 6}, {6, 16, 6}, {6, 23, 6}, {5, 64, 6},
		{15, 64, 16}, {32, 130, 32}, {1, 1, 64},
	} {
		t.Run(fmt.Sprintf("w=%d,kc=%d,r=%d", tc.w, tc.kc, tc.r), func(t *testing.T) {
			const ld, k0, x0 = 203, 7, 3
			src := make([]float32, (x0+tc.w)*ld)
			for i := range src {
				src[i] = float32(i)
			}
			panel := make([]float32, tc.kc*tc.r)
			for i := range panel {
				panel[i] = sentinel
			}
			packTransposed(panel, src, ld, k0, x0, tc.kc, tc.w, tc.r)
			for p := range tc.kc {
				for j := range tc.r {
					want := sentinel
					if j < tc.w {
						want = src[(x0+j)*ld+k0+p]
					}
					if got := panel[p*tc.r+j]; got != want {
						t.Fatalf("panel[%d*%d+%d] = %v, want %v", p, tc.r, j, got, want)
					}
				}
			}
		})
	}
}

// BenchmarkPackTransposed packs a 64-wide panel of a 784-float-row
// matrix, the forward pass's x·Wᵀ case, with the assembly transpose (where
// available) and with the Go gather.
func BenchmarkPackTransposed(b *testing.B) {
	const ld, kc, r = 784, 128, 64
	src := make([]float32, r*ld)
	panel := make([]float32, kc*r)
	asm := transpose16
	for _, name := range []string{"asm", "go"} {
		if name == "asm" && asm == nil {
			continue
		}
		b.Run(name, func(b *testing.B) {
			if name == "go" {
				transpose16 = nil
				defer func() { transpose16 = asm }()
			}
			for b.Loop() {
				packTransposed(panel, src, ld, 0, 0, kc, r, r)
			}
			b.ReportMetric(float64(kc*r)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gfloat/s")
		})
	}
}

// TestPack checks pack, every path of it (row copies, short rows, the
// register transpose of whole row groups and the Go gather for the rest),
// against its definition: element (p, x) of the block at dst[(x/r)*kc*r +
// p*r + x%r], zeros past the last row.
func TestPack(t *testing.T) {
	for _, kRows := range []bool{false, true} {
		for _, tc := range []struct{ xc, kc, r int }{
			{128, 128, 6}, {100, 37, 6}, {48, 16, 6}, {47, 16, 6}, {5, 20, 6},
			{64, 40, 8}, {120, 130, 14}, {33, 17, 4}, {64, 128, 64}, {70, 19, 16}, {50, 33, 48},
		} {
			t.Run(fmt.Sprintf("kRows=%v,xc=%d,kc=%d,r=%d", kRows, tc.xc, tc.kc, tc.r), func(t *testing.T) {
				const ld, k0, x0 = 301, 5, 9
				rows := x0 + tc.xc
				if kRows {
					rows = k0 + tc.kc
				}
				src := make([]float32, rows*ld)
				for i := range src {
					src[i] = float32(i + 1)
				}
				panels := (tc.xc + tc.r - 1) / tc.r
				dst := make([]float32, panels*tc.kc*tc.r+7)
				for i := range dst {
					dst[i] = sentinel
				}
				pack(dst, src, ld, kRows, k0, x0, tc.kc, tc.xc, tc.r)
				for x := range panels * tc.r {
					for p := range tc.kc {
						var want float32
						if x < tc.xc && kRows {
							want = src[(k0+p)*ld+x0+x]
						} else if x < tc.xc {
							want = src[(x0+x)*ld+k0+p]
						}
						if got := dst[(x/tc.r)*tc.kc*tc.r+p*tc.r+x%tc.r]; got != want {
							t.Fatalf("element (p=%d, x=%d) = %v, want %v", p, x, got, want)
						}
					}
				}
				for _, v := range dst[panels*tc.kc*tc.r:] {
					if v != sentinel {
						t.Fatal("pack wrote past the last panel")
					}
				}
			})
		}
	}
}

// BenchmarkPack6 packs a 6-row A panel of a 512-float-row matrix (the
// recurrent layers' dhp·W_hh case), with pack6 (where available) and with
// the Go gather.
func BenchmarkPack6(b *testing.B) {
	const ld, kc, r = 512, 256, 6
	src := make([]float32, r*ld)
	panel := make([]float32, kc*r)
	asm := pack6
	for _, name := range []string{"asm", "go"} {
		if name == "asm" && asm == nil {
			continue
		}
		b.Run(name, func(b *testing.B) {
			if name == "go" {
				pack6 = nil
				defer func() { pack6 = asm }()
			}
			for b.Loop() {
				packTransposed(panel, src, ld, 0, 0, kc, r, r)
			}
			b.ReportMetric(float64(kc*r)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gfloat/s")
		})
	}
}

// TestPackRows checks packRows, with the assembly where this machine has
// it and with the Go moves, against its definition over depths that do
// and do not fill whole blocks of eight rows; the destination's guard band
// must stay untouched.
func TestPackRows(t *testing.T) {
	asm := packRowsAVX2
	defer func() { packRowsAVX2 = asm }()
	for _, impl := range []string{"asm", "go"} {
		if impl == "asm" && asm == nil {
			continue
		}
		packRowsAVX2 = asm
		if impl == "go" {
			packRowsAVX2 = nil
		}
		for _, tc := range []struct{ kc, panels, r int }{
			{1, 2, 6}, {7, 2, 6}, {8, 3, 6}, {9, 24, 6}, {256, 24, 6}, {17, 2, 16}, {64, 8, 16}, {3, 5, 16},
		} {
			t.Run(fmt.Sprintf("%s/kc=%d,panels=%d,r=%d", impl, tc.kc, tc.panels, tc.r), func(t *testing.T) {
				ld := tc.panels*tc.r + 5
				src := make([]float32, tc.kc*ld)
				for i := range src {
					src[i] = float32(i)
				}
				n := tc.panels * tc.kc * tc.r
				dst := make([]float32, n+8)
				for i := range dst {
					dst[i] = sentinel
				}
				packRows(dst[:n], src[:(tc.kc-1)*ld+tc.panels*tc.r], ld, tc.kc, tc.panels, tc.r)
				for q := range tc.panels {
					for p := range tc.kc {
						for j := range tc.r {
							want := src[p*ld+q*tc.r+j]
							if got := dst[q*tc.kc*tc.r+p*tc.r+j]; got != want {
								t.Fatalf("dst[%d*%d*%d+%d*%d+%d] = %v, want %v", q, tc.kc, tc.r, p, tc.r, j, got, want)
							}
						}
					}
				}
				for i, v := range dst[n:] {
					if v != sentinel {
						t.Fatalf("wrote past the panels at %d", n+i)
					}
				}
			})
		}
	}
}
