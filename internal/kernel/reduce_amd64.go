//go:build !purego

package kernel

//go:generate sh -c "go run ./asmgen reduce > reduce_amd64.s"

// The reductions of reduce_amd64.s; n is a multiple of 16.

//go:noescape
func momentsAVX2(x *float32, n int, shift float64) (sum, sq float64)

//go:noescape
func sqdistAVX2(x, y *float32, n int) (sq float64)

// moments32 is one chunk of Moments: the whole 16-element groups in
// assembly (on any machine with vector kernels: AVX-512 ones run AVX2),
// the tail in Go.
func moments32(x []float32, shift float64) (sum, sumSq float64) {
	n := len(x) &^ (reduceLanes - 1)
	if vectorISA == 0 || n == 0 {
		return momentsSpec(x, shift)
	}
	sum, sumSq = momentsAVX2(&x[0], n, shift)
	for _, v := range x[n:] {
		d := float64(v) - shift
		sum += d
		sumSq += float64(d * d)
	}
	return sum, sumSq
}

func sqdist32(x, y []float32) float64 {
	n := len(x) &^ (reduceLanes - 1)
	if vectorISA == 0 || n == 0 {
		return sqdistSpec(x, y)
	}
	_ = y[len(x)-1]
	sq := sqdistAVX2(&x[0], &y[0], n)
	for i := n; i < len(x); i++ {
		d := float64(x[i]) - float64(y[i])
		sq += float64(d * d)
	}
	return sq
}
