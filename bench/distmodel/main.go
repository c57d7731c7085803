// Command distmodel prints docs/distributed.md's cluster model: the
// predicted step time, speedup and efficiency of data-parallel training on
// 2 to 64 nodes joined by 10 and 100 Gb/s links, from a step's measured
// compute time and the model's parameter count.
//
// A step on N nodes is compute plus a ring all-reduce of the gradients
// (Patarasuk & Yuan, "Bandwidth optimal all-reduce algorithms for clusters
// of workstations", JPDC 2009): 2(N-1) messages of bytes/N each, so
//
//	T_allreduce(N) = 2(N-1)/N * bytes / bandwidth + 2(N-1) * latency.
//
// Weak scaling (each node keeps its batch of 128; the global batch grows
// with N, as DDP is used): speedup = N * C / (C + T_allreduce), no overlap
// of backward and communication; with perfect overlap, N * C / max(C,
// T_allreduce). Strong scaling (the global batch stays 128): step =
// C/N + T_allreduce.
//
//	go run ./bench/distmodel -mlp-ms 12.1 -cnn-ms 180
package main

import (
	"flag"
	"fmt"
)

type model struct {
	name      string
	params    float64 // parameters (float32 gradients: 4 bytes each)
	computeMS float64 // one step of batch 128 on one node, milliseconds
	note      string
}

type link struct {
	name      string
	bytesPerS float64
	latencyS  float64
}

func allReduce(n int, bytes float64, l link) float64 {
	if n == 1 {
		return 0
	}
	k := float64(n)
	return 2*(k-1)/k*bytes/l.bytesPerS + 2*(k-1)*l.latencyS
}

func main() {
	mlpMS := flag.Float64("mlp-ms", 0, "measured step time of the MLP at batch 128 on one node (ms)")
	cnnMS := flag.Float64("cnn-ms", 0, "measured step time of the CNN at batch 128 on one node (ms)")
	mlpParams := flag.Float64("mlp-params", 535818, "MLP parameters")
	cnnParams := flag.Float64("cnn-params", 0, "CNN parameters")
	lat10 := flag.Float64("lat10-us", 30, "per-message latency on the 10 Gb/s link (µs; TCP Ethernet)")
	lat100 := flag.Float64("lat100-us", 3, "per-message latency on the 100 Gb/s link (µs; RDMA)")
	flag.Parse()
	// The LSTM is estimated, not measured: a 1-layer LSTM of 256 units over
	// the 28 rows of an MNIST image (PyTorch's two bias vectors), then a
	// linear layer to 10 classes. Its compute is the MLP's scaled by the
	// ratio of multiply-adds per example (forward + backward = 3x forward).
	const h, in, steps = 256.0, 28.0, 28.0
	lstmParams := 4*(h*(in+h)+2*h) + h*10 + 10
	lstmMACs := steps * 4 * h * (in + h)
	mlpMACs := 784*512 + 512*256 + 256*10.0
	lstmMS := *mlpMS * lstmMACs / mlpMACs
	models := []model{
		{"MLP 784-512-256-10", *mlpParams, *mlpMS, "measured"},
		{"CNN", *cnnParams, *cnnMS, "measured"},
		{fmt.Sprintf("LSTM 28x256 (%.0f params)", lstmParams), lstmParams, lstmMS, "estimated from multiply-adds"},
	}
	links := []link{
		{"10 Gb/s", 10e9 / 8, *lat10 * 1e-6},
		{"100 Gb/s", 100e9 / 8, *lat100 * 1e-6},
	}
	nodes := []int{2, 4, 8, 16, 32, 64}
	fmt.Println("| model | gradients | compute/step | link | all-reduce at 64 | efficiency N=2 | 4 | 8 | 16 | 32 | 64 | speedup at 64 (overlap: none / perfect) | strong scaling (batch 128): best N |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, m := range models {
		bytes := 4 * m.params
		c := m.computeMS / 1e3
		for _, l := range links {
			fmt.Printf("| %s | %.2f MB | %.1f ms (%s) | %s | %.2f ms |", m.name, bytes/1e6, m.computeMS, m.note, l.name, 1e3*allReduce(64, bytes, l))
			var s64, s64o float64
			for _, n := range nodes {
				t := allReduce(n, bytes, l)
				s := float64(n) * c / (c + t)
				fmt.Printf(" %.0f%% |", 100*s/float64(n))
				if n == 64 {
					s64, s64o = s, float64(n)*c/max(c, t)
				}
			}
			best, bestT := 1, c
			for n := 2; n <= 64; n++ {
				if t := c/float64(n) + allReduce(n, bytes, l); t < bestT {
					best, bestT = n, t
				}
			}
			fmt.Printf(" %.1f / %.1f | %d (%.1fx) |\n", s64, s64o, best, c/bestT)
		}
	}
}
