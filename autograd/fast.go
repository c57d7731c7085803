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
func sumRows[T Float](d, m []T, rows, cols int) {
	for r := range rows {
		kernel.Add(d, d, m[r*cols:(r+1)*cols])
	}
}
