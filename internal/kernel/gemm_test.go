package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// sentinel fills the guard bands and stride padding around C; a kernel that
// writes outside the matrix changes it.
const sentinel = float32(-12345.678)

// gemmCase is one Gemm call; the matrices are drawn from its seed.
type gemmCase struct {
	transA, transB bool
	m, n, k        int
	pad            int // extra elements per row stride of A, B and C
	alpha, beta    float32
	nanC           bool // fill C with NaN (only meaningful with beta == 0)
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("tA=%v,tB=%v,m=%d,n=%d,k=%d,pad=%d,alpha=%g,beta=%g,nanC=%v",
		tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.pad, tc.alpha, tc.beta, tc.nanC)
}

// guarded is a matrix stored inside guard bands: data[guard:guard+size]
// holds rows×cols with stride ld; everything else is sentinel.
type guarded struct {
	rows, cols, ld int
	buf            []float32
}

const guard = 37

func newGuarded(rng *rand.Rand, rows, cols, ld int, fill func() float32) *guarded {
	size := 0
	if rows > 0 {
		size = (rows-1)*ld + cols
	}
	g := &guarded{rows: rows, cols: cols, ld: ld, buf: make([]float32, size+2*guard)}
	for i := range g.buf {
		g.buf[i] = sentinel
	}
	for i := range rows {
		for j := range cols {
			g.buf[guard+i*ld+j] = fill()
		}
	}
	return g
}

func (g *guarded) data() []float32     { return g.buf[guard : len(g.buf)-guard] }
func (g *guarded) at(i, j int) float32 { return g.buf[guard+i*g.ld+j] }

// checkGuards reports an error for every sentinel that changed.
func (g *guarded) checkGuards(t *testing.T, name string) {
	t.Helper()
	inside := func(x int) bool {
		x -= guard
		return x >= 0 && x < len(g.buf)-2*guard && x%g.ld < g.cols
	}
	for x, v := range g.buf {
		if !inside(x) && v != sentinel {
			t.Errorf("%s: wrote %g outside the matrix at offset %d", name, v, x-guard)
			return
		}
	}
}

// storedDims returns the rows and columns of A and B as stored, for
// op(A) m×k and op(B) k×n.
func storedDims(transA, transB bool, m, n, k int) (ar, ac, br, bc int) {
	ar, ac, br, bc = m, k, k, n
	if transA {
		ar, ac = ac, ar
	}
	if transB {
		br, bc = bc, br
	}
	return ar, ac, br, bc
}

// operands builds A, B and C for tc, draws them from rng, and returns the
// float64 reference result.
func (tc gemmCase) operands(rng *rand.Rand) (a, b, c *guarded, want []float64) {
	uniform := func() float32 { return float32(rng.Float64()*2 - 1) }
	ar, ac, br, bc := storedDims(tc.transA, tc.transB, tc.m, tc.n, tc.k)
	a = newGuarded(rng, ar, ac, ac+tc.pad, uniform)
	b = newGuarded(rng, br, bc, bc+tc.pad, uniform)
	cfill := uniform
	if tc.nanC {
		cfill = func() float32 { return float32(math.NaN()) }
	}
	c = newGuarded(rng, tc.m, tc.n, tc.n+tc.pad, cfill)
	want = make([]float64, tc.m*tc.n)
	for i := range tc.m {
		for j := range tc.n {
			var s float64
			for p := range tc.k {
				var av, bv float32
				if tc.transA {
					av = a.at(p, i)
				} else {
					av = a.at(i, p)
				}
				if tc.transB {
					bv = b.at(j, p)
				} else {
					bv = b.at(p, j)
				}
				s += float64(av) * float64(bv)
			}
			r := float64(tc.alpha) * s
			if tc.beta != 0 {
				r += float64(tc.beta) * float64(c.at(i, j))
			}
			want[i*tc.n+j] = r
		}
	}
	return a, b, c, want
}

// check compares C with the reference: float32 rounding of k products and
// the final scaling allow about (k+2) ulps of the magnitudes involved.
func (tc gemmCase) check(t *testing.T, name string, a, b, c *guarded, want []float64, a0, b0 []float32) {
	t.Helper()
	c.checkGuards(t, name+" C")
	if !equalBits(a.buf, a0) || !equalBits(b.buf, b0) {
		t.Errorf("%s: Gemm modified A or B", name)
	}
	tol := float64(tc.k+2) * 0x1p-23 * (math.Abs(float64(tc.alpha))*float64(tc.k) + math.Abs(float64(tc.beta)) + 1)
	for i := range tc.m {
		for j := range tc.n {
			got, w := float64(c.at(i, j)), want[i*tc.n+j]
			if !(math.Abs(got-w) <= tol) {
				t.Fatalf("%s: C[%d,%d] = %v, want %v (tolerance %.3g)", name, i, j, got, w, tol)
			}
		}
	}
}

func equalBits(x, y []float32) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return false
		}
	}
	return true
}

// gemmCases returns the shapes the kernels are tested on: every transpose
// combination over edge sizes (1, one below and above the tile sizes),
// random odd sizes, strides with padding, and the alpha/beta variants.
func gemmCases(short bool) []gemmCase {
	rng := rand.New(rand.NewPCG(1, 2))
	scalars := []struct {
		alpha, beta float32
		nanC        bool
	}{{1, 0, true}, {1, 1, false}, {-0.5, 2, false}, {2, 0, false}, {0, 0.5, false}, {1.5, -1, false}}
	sizes := [][3]int{{1, 1, 1}, {1, 7, 3}, {5, 1, 9}, {3, 4, 0}, {13, 31, 17}, {14, 32, 16},
		{15, 33, 5}, {29, 65, 40}, {6, 16, 3}, {7, 17, 300}, {1, 100, 33}, {50, 1, 64}, {4, 4, 4}}
	randomShapes, maxDim := 12, 300
	if short {
		randomShapes, maxDim = 4, 120
	}
	for range randomShapes {
		sizes = append(sizes, [3]int{1 + rng.IntN(maxDim), 1 + rng.IntN(maxDim), 1 + rng.IntN(maxDim)})
	}
	var cases []gemmCase
	for si, s := range sizes {
		for tr := range 4 {
			sc := scalars[(si+tr)%len(scalars)]
			cases = append(cases, gemmCase{transA: tr&1 != 0, transB: tr&2 != 0,
				m: s[0], n: s[1], k: s[2], pad: (si * 3) % 5,
				alpha: sc.alpha, beta: sc.beta, nanC: sc.nanC})
		}
	}
	return cases
}

// withKernel makes kern the active SGEMM kernel for the rest of the test.
func withKernel(t *testing.T, kern *sgemmKernel) {
	old := activeSgemm
	activeSgemm = kern
	t.Cleanup(func() { activeSgemm = old })
}

// withThreads sets the thread count for the rest of the test.
func withThreads(t *testing.T, n int) {
	old := threads.Load()
	SetThreads(n)
	t.Cleanup(func() { threads.Store(old) })
}

// testKernels returns every kernel available here, each also with tiny
// blocks so that small matrices cross every loop of the blocking.
func testKernels() []*sgemmKernel {
	var ks []*sgemmKernel
	for _, k := range sgemmKernels {
		tiny := *k
		tiny.name += " tiny blocks"
		tiny.mc, tiny.kc, tiny.nc = 2*k.mr, 7, 2*k.nr
		ks = append(ks, k, &tiny)
	}
	return ks
}

func TestGemmFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	kernels := testKernels()
	for _, tc := range gemmCases(testing.Short()) {
		a, b, c, want := tc.operands(rng)
		a0, b0, c0 := clone(a.buf), clone(b.buf), clone(c.buf)
		for _, kern := range kernels {
			for _, th := range []int{1, 2} {
				copy(c.buf, c0)
				withKernel(t, kern)
				withThreads(t, th)
				Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a.data(), a.ld, b.data(), b.ld, tc.beta, c.data(), c.ld)
				tc.check(t, fmt.Sprintf("%s threads=%d %v", kern.name, th, tc), a, b, c, want, a0, b0)
			}
		}
		// The generic Go loop is the spec: it must pass the same check.
		copy(c.buf, c0)
		gemmGeneric(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a.data(), a.ld, b.data(), b.ld, tc.beta, c.data(), c.ld)
		tc.check(t, "gemmGeneric "+tc.String(), a, b, c, want, a0, b0)
	}
}

func TestGemmFloat64(t *testing.T) {
	// float64 runs gemmGeneric; check it against the float32 reference
	// within float32 tolerance, on the stored float32 values.
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range gemmCases(true) {
		a, b, c, want := tc.operands(rng)
		a0, b0 := clone(a.buf), clone(b.buf)
		c64 := to64(c.buf)
		Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, float64(tc.alpha), to64(a.data()), a.ld, to64(b.data()), b.ld,
			float64(tc.beta), c64[guard:len(c64)-guard], c.ld)
		for i := range c.buf {
			c.buf[i] = float32(c64[i])
		}
		tc.check(t, "float64 "+tc.String(), a, b, c, want, a0, b0)
	}
}

// TestGemmThreadsBitIdentical: each kernel gives the same bits on 1, 2 and 3
// goroutines, whichever dimension the split falls on.
func TestGemmThreadsBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	shapes := []gemmCase{
		{m: 301, n: 97, k: 260, alpha: 1, beta: 0},
		{m: 90, n: 333, k: 150, alpha: 0.5, beta: 1, transA: true},
		{m: 150, n: 150, k: 300, alpha: 1, beta: -1, transB: true, pad: 3},
	}
	for _, kern := range testKernels() {
		withKernel(t, kern)
		for _, tc := range shapes {
			a, b, c, _ := tc.operands(rng)
			c0 := clone(c.buf)
			var first []float32
			for _, th := range []int{1, 2, 3} {
				withThreads(t, th)
				copy(c.buf, c0)
				Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a.data(), a.ld, b.data(), b.ld, tc.beta, c.data(), c.ld)
				if first == nil {
					first = clone(c.buf)
				} else if !equalBits(first, c.buf) {
					t.Errorf("%s %v: threads=%d differs from threads=1", kern.name, tc, th)
				}
			}
		}
	}
}

// TestGemmAllocs: a warm call allocates nothing, on one goroutine or several.
func TestGemmAllocs(t *testing.T) {
	const n = 200
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for _, th := range []int{1, 2} {
		withThreads(t, th)
		Gemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n)
		allocs := testing.AllocsPerRun(20, func() {
			Gemm(false, true, n, n, n, 1, a, n, b, n, 0, c, n)
		})
		if allocs != 0 {
			t.Errorf("threads=%d: %v allocations per warm Gemm, want 0", th, allocs)
		}
	}
}

// TestGemmConcurrent: calls from several goroutines at once (one owns the
// workers, the others run alone) all give the single-call bits.
func TestGemmConcurrent(t *testing.T) {
	withThreads(t, 2)
	rng := rand.New(rand.NewPCG(9, 10))
	tc := gemmCase{m: 120, n: 130, k: 140, alpha: 1, beta: 0}
	a, b, c, _ := tc.operands(rng)
	Gemm(false, false, tc.m, tc.n, tc.k, 1, a.data(), a.ld, b.data(), b.ld, 0, c.data(), c.ld)
	want := clone(c.buf)
	var wg sync.WaitGroup
	results := make([][]float32, 6)
	for g := range results {
		wg.Go(func() {
			out := clone(c.buf)
			for range 5 {
				Gemm(false, false, tc.m, tc.n, tc.k, 1, a.data(), a.ld, b.data(), b.ld, 0, out[guard:len(out)-guard], c.ld)
			}
			results[g] = out
		})
	}
	wg.Wait()
	for g, r := range results {
		if !equalBits(r, want) {
			t.Errorf("goroutine %d: result differs from a lone call", g)
		}
	}
}

func TestGemmPanics(t *testing.T) {
	s := make([]float32, 12)
	tests := []struct {
		name          string
		transA        bool
		m, n, k       int
		a             []float32
		lda, ldb, ldc int
		wantInMessage string
	}{
		{"negative m", false, -1, 2, 2, s, 2, 2, 2, "negative dimension"},
		{"lda below k", false, 2, 2, 3, s, 2, 2, 2, "ldA=2"},
		{"A too short", false, 4, 2, 3, s[:10], 3, 2, 2, "len(A)=10"},
		{"transposed lda below m", true, 3, 2, 2, s, 2, 2, 2, "ldA=2"},
		{"ldc below n", false, 2, 3, 2, s, 2, 3, 2, "ldC=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "kernel: Gemm: ") || !strings.Contains(msg, tt.wantInMessage) {
					t.Errorf("panic %q, want a kernel: Gemm: panic naming %q", msg, tt.wantInMessage)
				}
			}()
			Gemm(tt.transA, false, tt.m, tt.n, tt.k, 1, tt.a, tt.lda, s, tt.ldb, 0, s, tt.ldc)
		})
	}
}

func clone(x []float32) []float32 { return append([]float32(nil), x...) }

func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// BenchmarkGemm reports GFLOP/s of float32 Gemm for square sizes on 1 and 2
// goroutines with the default kernel; compare with bench/pytorch/gemm.py.
func BenchmarkGemm(b *testing.B) {
	for _, n := range []int{256, 512, 1024, 2048} {
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("n=%d/threads=%d", n, th), func(b *testing.B) {
				benchGemm(b, activeSgemm, n, th)
			})
		}
	}
}

// BenchmarkGemmKernels compares every available kernel at 1024 on one
// goroutine.
func BenchmarkGemmKernels(b *testing.B) {
	for _, kern := range sgemmKernels {
		b.Run(strings.ReplaceAll(kern.name, " ", "_"), func(b *testing.B) {
			benchGemm(b, kern, 1024, 1)
		})
	}
}

func benchGemm(b *testing.B, kern *sgemmKernel, n, th int) {
	old, oldThreads := activeSgemm, threads.Load()
	activeSgemm = kern
	SetThreads(th)
	defer func() { activeSgemm = old; threads.Store(oldThreads) }()
	rng := rand.New(rand.NewPCG(1, 1))
	x, y, z := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range x {
		x[i], y[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	Gemm(false, false, n, n, n, 1, x, n, y, n, 0, z, n)
	cpu0 := processCPU()
	for b.Loop() {
		Gemm(false, false, n, n, n, 1, x, n, y, n, 0, z, n)
	}
	flops := 2 * float64(n) * float64(n) * float64(n) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	// Flops per CPU-second: what the busy cores delivered, which on a shared
	// machine is steadier than the wall-clock figure (bench/pytorch/gemm.py
	// reports the same for torch.mm).
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(flops/cpu.Seconds()/1e9, "cpuGFLOP/s")
	}
}

// BenchmarkGemmMLP times the products of one training step of the MLP
// 784-512-256-10 at batch 128 (forward x·Wᵀ, backward dy·W and dyᵀ·x), the
// shapes where packing and the split between cores matter most.
func BenchmarkGemmMLP(b *testing.B) {
	type shape struct {
		name           string
		transA, transB bool
		m, n, k        int
	}
	shapes := []shape{
		{"fwd1_xWt", false, true, 128, 512, 784},
		{"fwd2_xWt", false, true, 128, 256, 512},
		{"fwd3_xWt", false, true, 128, 10, 256},
		{"dx2_dyW", false, false, 128, 512, 256},
		{"dx3_dyW", false, false, 128, 256, 10},
		{"dW1_dytx", true, false, 512, 784, 128},
		{"dW2_dytx", true, false, 256, 512, 128},
		{"dW3_dytx", true, false, 10, 256, 128},
	}
	for _, s := range shapes {
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", s.name, th), func(b *testing.B) {
				oldThreads := threads.Load()
				SetThreads(th)
				defer threads.Store(oldThreads)
				ar, ac, br, bc := storedDims(s.transA, s.transB, s.m, s.n, s.k)
				rng := rand.New(rand.NewPCG(1, 1))
				a, bm, c := make([]float32, ar*ac), make([]float32, br*bc), make([]float32, s.m*s.n)
				for i := range a {
					a[i] = float32(rng.NormFloat64())
				}
				for i := range bm {
					bm[i] = float32(rng.NormFloat64())
				}
				for b.Loop() {
					Gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, ac, bm, bc, 1, c, s.n)
				}
				flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestGemmBias checks GemmBias against Gemm with the bias preloaded in C
// (beta = 1) over shapes that take every path: serial, split by rows and
// by columns, computed transposed (n small), unpacked (tiny) and float64.
func TestGemmBias(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, th := range []int{1, 2} {
		withThreads(t, th)
		for _, s := range []struct {
			transA, transB bool
			m, n, k        int
		}{
			{false, true, 128, 512, 300}, {false, true, 300, 64, 40}, {false, false, 128, 10, 256},
			{true, false, 130, 70, 90}, {false, true, 2, 3, 2}, {false, true, 7, 33, 1},
		} {
			ar, ac, br, bc := storedDims(s.transA, s.transB, s.m, s.n, s.k)
			a, b := make([]float32, ar*ac), make([]float32, br*bc)
			bias := make([]float32, s.n)
			for _, x := range [][]float32{a, b, bias} {
				for i := range x {
					x[i] = float32(rng.NormFloat64())
				}
			}
			got, want := make([]float32, s.m*s.n+5), make([]float32, s.m*s.n)
			for i := range got {
				got[i] = float32(math.NaN()) // GemmBias must only write C
			}
			for i := range want {
				want[i] = bias[i%s.n]
			}
			GemmBias(s.transA, s.transB, s.m, s.n, s.k, a, ac, b, bc, bias, got[:s.m*s.n], s.n)
			Gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, ac, b, bc, 1, want, s.n)
			for i, w := range want {
				if d := math.Abs(float64(got[i] - w)); !(d <= 1e-5*(1+math.Abs(float64(w)))) {
					t.Fatalf("threads=%d %+v: C[%d] = %v, want %v", th, s, i, got[i], w)
				}
			}
			for _, v := range got[s.m*s.n:] {
				if v == v {
					t.Fatalf("threads=%d %+v: wrote past C", th, s)
				}
			}
			// float64 takes the generic loop.
			a64, b64, bias64 := to64(a), to64(b), to64(bias)
			c64 := make([]float64, s.m*s.n)
			GemmBias(s.transA, s.transB, s.m, s.n, s.k, a64, ac, b64, bc, bias64, c64, s.n)
			for i, w := range want {
				if d := math.Abs(c64[i] - float64(w)); d > 1e-4*(1+math.Abs(float64(w))) {
					t.Fatalf("float64 %+v: C[%d] = %v, want %v", s, i, c64[i], w)
				}
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("GemmBias with a short bias did not panic")
		}
	}()
	GemmBias(false, false, 2, 2, 2, make([]float32, 4), 2, make([]float32, 4), 2, make([]float32, 1), make([]float32, 4), 2)
}

// TestGemmEdgeRows checks each kernel's edge kernels (rows[h]) against the
// full kernel run on a scratch tile, bit for bit, for beta 0 (C not read:
// NaNs there must not matter), 1 and another value, with the rows below
// the h computed and the columns right of the tile left untouched.
func TestGemmEdgeRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	checked := 0
	for _, kern := range sgemmKernels {
		mr, nr := kern.mr, kern.nr
		for h := 1; h < len(kern.rows); h++ {
			if kern.rows[h] == nil {
				continue
			}
			checked++
			for _, kc := range []int{1, 3, 4, 9, 130} {
				for _, beta := range []float32{0, 1, -0.5} {
					a, b := make([]float32, kc*mr), make([]float32, kc*nr)
					for _, x := range [][]float32{a, b} {
						for i := range x {
							x[i] = float32(rng.NormFloat64())
						}
					}
					const ldc = 23 // past the tile's nr columns
					c := make([]float32, mr*(nr+ldc))
					for i := range c {
						c[i] = float32(rng.NormFloat64())
						if beta == 0 && i%ldc < nr {
							c[i] = float32(math.NaN())
						}
					}
					ld := nr + ldc
					tile := make([]float32, mr*nr)
					for i := range mr {
						copy(tile[i*nr:(i+1)*nr], c[i*ld:])
					}
					kern.run(kc, a, b, tile, nr, 1.5, beta)
					got := clone(c)
					kern.rows[h](kc, a, b, got, ld, 1.5, beta)
					for i := range mr {
						for j := range ld {
							want := c[i*ld+j]
							if i < h && j < nr {
								want = tile[i*nr+j]
							}
							if math.Float32bits(got[i*ld+j]) != math.Float32bits(want) && !(want != want && got[i*ld+j] != got[i*ld+j]) {
								t.Fatalf("%s rows=%d kc=%d beta=%v: C[%d][%d] = %v, want %v", kern.name, h, kc, beta, i, j, got[i*ld+j], want)
							}
						}
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Skip("no kernel with edge kernels on this machine or build")
	}
}
