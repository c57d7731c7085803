//go:build !amd64 || purego

package kernel

// Without assembly the element-wise kernels are their Go specifications.

// vectorISA is 0: no vector kernels in this build.
var vectorISA = 0

func vectorISAs() []int { return []int{0} }

func axpy32(alpha float32, x, y []float32) { axpySpec(alpha, x, y) }
func add32(dst, x, y []float32)            { addSpec(dst, x, y) }
func mul32(dst, x, y []float32)            { mulSpec(dst, x, y) }

func adam32Serial(p, g, m, v []float32, c *adamCoef[float32]) { adamSpec(p, g, m, v, c) }
func sgd32Serial(p, g, buf []float32, c *sgdCoef[float32])    { sgdSpec(p, g, buf, c) }
