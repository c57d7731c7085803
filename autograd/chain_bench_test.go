package autograd_test

import (
	"fmt"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// BenchmarkBackwardChain records chains of 10, 100 and 1,000 tanh ops on a
// small tensor and reports the backward pass's time per op: it stays flat
// as the chain grows, because backpropagation visits each recorded op once
// (cost linear in depth).
//
//	go test -run '^$' -bench BackwardChain ./autograd/
func BenchmarkBackwardChain(b *testing.B) {
	for _, depth := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			x := tensor.New[float32](64)
			x.RandN(tensor.NewRand(1), 0, 0.5)
			p := autograd.NewParam(x, "x")
			g := autograd.New[float32]()
			forward := func() *autograd.Var[float32] {
				y := p
				for range depth {
					y = g.Tanh(y)
				}
				return g.Sum(y)
			}
			g.Backward(forward()) // warm the buffers
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				loss := forward()
				b.StartTimer()
				g.Backward(loss)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(depth+1), "ns/backward-op")
		})
	}
}
