package kernel

import (
	"math/rand/v2"
	"testing"
)

// lstmShapes are the float32 products of one training step of row-MNIST's
// LSTM (batch 128, hidden 128, input 28, 28 steps, gates i, f, g, o: G =
// 512), with the strides the layer uses: models.SeqNet runs it
// sequence-first, so the gates lie as [T, B, G] and the hidden states as
// [T, B, H], each step's rows one block.
var lstmShapes = []struct {
	name           string
	transA, transB bool
	m, n, k        int
	lda, ldb, ldc  int
	beta           float32
	packedB        bool // B packed once per pass (PackedB), A per call
	bias           bool // GemmBias (beta unused)
	calls          int  // calls per training step
}{
	// Per step, forward: gates_t += h_{t-1}·W_hhᵀ into the gate rows.
	{"step_hWhhT", false, true, 128, 512, 128, 128, 128, 512, 1, true, false, 27},
	// Per step, backward: dh_{t-1} = dgates_t·W_hh.
	{"step_dhWhh", false, false, 128, 128, 512, 512, 128, 128, 0, true, false, 27},
	// Once: dW_hh += dgatesᵀ·h over all steps but the first.
	{"dWhh", true, false, 512, 128, 27 * 128, 512, 128, 128, 1, false, false, 1},
	// Once: dW_ih += dgatesᵀ·x.
	{"dWih", true, false, 512, 28, 28 * 128, 512, 28, 28, 1, false, false, 1},
	// Once: xp = x·W_ihᵀ + b_ih + b_hh.
	{"xWihT", false, true, 28 * 128, 512, 28, 28, 28, 512, 0, false, true, 1},
}

// BenchmarkGemmLSTM times the LSTM's products on one goroutine and reports
// GFLOP/s (wall and per CPU-second) and the CPU time per training step
// that each shape costs (calls × time per call); compare with
// BenchmarkGemm's n=1024/threads=1. W_hh is packed outside the loop, as
// the layer packs it once per pass.
func BenchmarkGemmLSTM(b *testing.B) {
	for _, s := range lstmShapes {
		b.Run(s.name, func(b *testing.B) {
			oldThreads := threads.Load()
			SetThreads(1)
			defer threads.Store(oldThreads)
			_, _, br, _ := storedDims(s.transA, s.transB, s.m, s.n, s.k)
			rows := s.m // of A as stored
			if s.transA {
				rows = s.k
			}
			rng := rand.New(rand.NewPCG(1, 1))
			a := make([]float32, (rows-1)*s.lda+max(s.m, s.k))
			bm := make([]float32, (br-1)*s.ldb+max(s.n, s.k))
			c := make([]float32, (s.m-1)*s.ldc+s.n)
			for _, x := range [][]float32{a, bm, c} {
				for i := range x {
					x[i] = float32(rng.NormFloat64()) * 0.01
				}
			}
			var p PackedB[float32]
			if s.packedB {
				p.Pack(s.transB, s.k, s.n, bm, s.ldb)
			}
			bias := c[:s.n]
			call := func() {
				if s.bias {
					GemmBias(s.transA, s.transB, s.m, s.n, s.k, a, s.lda, bm, s.ldb, bias, c, s.ldc)
					return
				}
				if s.packedB {
					p.Gemm(s.transA, s.m, 1, a, s.lda, s.beta, c, s.ldc)
				} else {
					Gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, s.lda, bm, s.ldb, s.beta, c, s.ldc)
				}
			}
			call()
			cpu0 := processCPU()
			for b.Loop() {
				call()
			}
			flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			if cpu := processCPU() - cpu0; cpu > 0 {
				b.ReportMetric(flops/cpu.Seconds()/1e9, "cpuGFLOP/s")
				b.ReportMetric(float64(s.calls)*cpu.Seconds()/float64(b.N)*1e3, "cpu-ms/step")
			}
		})
	}
}
