package autograd

import "github.com/descent-ml/descent/internal/kernel"

// Hot loops of the training step's backward pass, handed to the vector
// kernels of internal/kernel.

// reluGrad accumulates dx += dy where y = relu(x) is not 0, else +0: the
// gradient passes where the output is positive, +Inf or NaN, as in
// PyTorch's threshold_backward. kernel.ReLUGrad does it without a branch
// (AVX2 for float32).
func reluGrad[T Float](dx, y, dy []T) {
	kernel.ReLUGrad(dx, y[:len(dx)], dy[:len(dx)])
}

// sumRows accumulates the rows of the rows×cols matrix m into d (the
// bias gradient of Linear), row after row in order, so the sums are the
// plain loop's, bit for bit; each row is one vectorized kernel.Add.
//
// A large matrix (an LSTM's gate gradients of all steps, 1.8M floats) is
// split by columns over the kernels' workers: each column's sum is still
// the one loop's, so the result does not depend on the thread count.
func sumRows[T Float](d, m []T, rows, cols int) {
	if parts := min(kernel.Threads(), cols/sumRowsMinCols); parts > 1 && rows*cols >= sumRowsParallelMin {
		j := sumRowsPool[T]().Get()
		*j = sumRowsJob[T]{d: d, m: m, rows: rows, cols: cols}
		kernel.ParallelFor(parts, j)
		*j = sumRowsJob[T]{}
		sumRowsPool[T]().Put(j)
		return
	}
	for r := range rows {
		kernel.Add(d, d, m[r*cols:(r+1)*cols])
	}
}

// sumRowsParallelMin is the matrix size from which sumRows splits it (a
// hand-off costs microseconds; 64k floats take about 10); sumRowsMinCols
// is the fewest columns a part sums, a multiple of a cache line.
const (
	sumRowsParallelMin = 1 << 16
	sumRowsMinCols     = 64
)

// sumRowsJob is a sumRows split by columns, part p summing a contiguous
// block of whole cache lines (16 floats of float32).
type sumRowsJob[T Float] struct {
	d, m       []T
	rows, cols int
}

func (j *sumRowsJob[T]) RunPart(part, parts int) {
	c0, c1 := part*j.cols/parts&^15, (part+1)*j.cols/parts&^15
	if part == parts-1 {
		c1 = j.cols
	}
	d := j.d[c0:c1]
	for r := range j.rows {
		kernel.Add(d, d, j.m[r*j.cols+c0:r*j.cols+c1])
	}
}

// The jobs are recycled, one free list per element type, so that a warm
// step allocates nothing.
var (
	sumRowsJobs32 kernel.FreeList[sumRowsJob[float32]]
	sumRowsJobs64 kernel.FreeList[sumRowsJob[float64]]
)

func sumRowsPool[T Float]() *kernel.FreeList[sumRowsJob[T]] {
	if p, ok := any(&sumRowsJobs32).(*kernel.FreeList[sumRowsJob[T]]); ok {
		return p
	}
	if p, ok := any(&sumRowsJobs64).(*kernel.FreeList[sumRowsJob[T]]); ok {
		return p
	}
	return nil // a named float type: jobs are allocated
}
