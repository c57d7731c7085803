package kernel

// Reductions of float32 arrays into float64 sums, for the statistics a
// training run records (norms, means, variances of weights, gradients and
// activations: package monitor). They read an array once, with vector
// instructions.
//
// The order of the additions is part of the specification, so that the
// result does not depend on the instruction set or the number of threads:
// an array is cut into chunks of reduceChunk elements; in each chunk,
// element i goes to lane i mod 16 of sixteen float64 partial sums, which
// are folded as
//
//	t[j] = (a[j]+a[j+4]) + (a[j+8]+a[j+12]), s = (t[0]+t[2]) + (t[1]+t[3])
//
// and then the chunk's tail (fewer than 16 elements) is added in order; the
// chunks' sums are added in order. Products are rounded before they are
// added (no fused multiply-add).

// reduceChunk is the number of elements summed as one chunk.
const reduceChunk = 1 << 14

// reduceLanes is the number of float64 partial sums of a chunk.
const reduceLanes = 16

// Moments returns Σ d and Σ d² over d = float64(x[i]) - shift: with shift
// 0, the sum and the sum of squares (a norm); with shift near the mean, a
// variance without cancellation (the shifted-data algorithm).
func Moments(x []float32, shift float64) (sum, sumSq float64) {
	r := reduce(&reduceJob{x: x, shift: shift})
	return r[0], r[1]
}

// SumSquares returns Σ x[i]², in float64 (Moments with shift 0).
func SumSquares(x []float32) float64 {
	_, q := Moments(x, 0)
	return q
}

// SquaredDistance returns Σ d² over d = float64(x[i]) - float64(y[i]):
// the squared L2 distance of two arrays, for example of a weight before
// and after an optimizer step. It panics if the lengths differ.
func SquaredDistance(x, y []float32) float64 {
	if len(x) != len(y) {
		badLengths("SquaredDistance", "x", len(x), "y", len(y))
	}
	return reduce(&reduceJob{x: x, y: y})[1]
}

// momentsSpec is one chunk of Moments: the specification of momentsAVX2
// for len(x) a multiple of 16, with the tail added after the fold.
func momentsSpec(x []float32, shift float64) (sum, sumSq float64) {
	var s, q [reduceLanes]float64
	n := len(x) &^ (reduceLanes - 1)
	for i := 0; i < n; i += reduceLanes {
		for k := range reduceLanes {
			d := float64(x[i+k]) - shift
			s[k] += d
			q[k] += float64(d * d)
		}
	}
	sum, sumSq = fold(&s), fold(&q)
	for _, v := range x[n:] {
		d := float64(v) - shift
		sum += d
		sumSq += float64(d * d)
	}
	return sum, sumSq
}

// sqdistSpec is one chunk of SquaredDistance, the specification of
// sqdistAVX2.
func sqdistSpec(x, y []float32) float64 {
	var q [reduceLanes]float64
	y = y[:len(x)]
	n := len(x) &^ (reduceLanes - 1)
	for i := 0; i < n; i += reduceLanes {
		for k := range reduceLanes {
			d := float64(x[i+k]) - float64(y[i+k])
			q[k] += float64(d * d)
		}
	}
	sq := fold(&q)
	for i := n; i < len(x); i++ {
		d := float64(x[i]) - float64(y[i])
		sq += float64(d * d)
	}
	return sq
}

func fold(a *[reduceLanes]float64) float64 {
	var t [4]float64
	for j := range t {
		t[j] = (a[j] + a[j+4]) + (a[j+8] + a[j+12])
	}
	return (t[0] + t[2]) + (t[1] + t[3])
}

// reduceJob is one Moments (y nil) or SquaredDistance call.
type reduceJob struct {
	x, y  []float32
	shift float64
}

// chunk computes chunk c's sums.
func (j *reduceJob) chunk(c int) [2]float64 {
	lo, hi, _ := partRange(c, reduceChunk, len(j.x))
	if j.y != nil {
		return [2]float64{0, sqdist32(j.x[lo:hi], j.y[lo:hi])}
	}
	s, q := moments32(j.x[lo:hi], j.shift)
	return [2]float64{s, q}
}

// reduce returns the two sums of j over its chunks, added in chunk order.
// It runs on the calling goroutine: a sum is bound by memory bandwidth,
// and handing half of it to a worker cost more than it saved on the
// shared 2-core machine (a worker whose core another process holds is
// waited for: the recorder's gradient norm of the default MLP took 0.6 ms
// on one goroutine and up to 8.6 ms split over two while other jobs ran).
func reduce(j *reduceJob) [2]float64 {
	var r [2]float64
	for c := range (len(j.x) + reduceChunk - 1) / reduceChunk {
		s := j.chunk(c)
		r[0] += s[0]
		r[1] += s[1]
	}
	return r
}
