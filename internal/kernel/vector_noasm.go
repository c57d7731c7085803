//go:build !amd64 || purego

package kernel

// Without assembly the element-wise kernels are their Go specifications.

// vectorISA is 0: no vector kernels in this build.
var vectorISA = 0

func vectorISAs() []int { return []int{0} }

func axpy32(alpha float32, x, y []float32) { axpySpec(alpha, x, y) }
func add32(dst, x, y []float32)            { addSpec(dst, x, y) }
func mul32(dst, x, y []float32)            { mulSpec(dst, x, y) }

func adam32Serial(p, g, m, v, vmax []float32, c *adamCoef[float32]) { adamSpec(p, g, m, v, vmax, c) }
func sgd32Serial(p, g, buf []float32, c *sgdCoef[float32])          { sgdSpec(p, g, buf, c) }

func adagrad32Serial(p, g, sum []float32, c *adagradCoef[float32]) { adagradSpec(p, g, sum, c) }
func adadelta32Serial(p, g, sq, acc []float32, c *adadeltaCoef[float32]) {
	adadeltaSpec(p, g, sq, acc, c)
}
func adamax32Serial(p, g, m, u []float32, c *adamaxCoef[float32]) { adamaxSpec(p, g, m, u, c) }
func nadam32Serial(p, g, m, v []float32, c *nadamCoef[float32])   { nadamSpec(p, g, m, v, c) }
func radam32Serial(p, g, m, v []float32, c *radamCoef[float32])   { radamSpec(p, g, m, v, c) }
func rmsprop32Serial(p, g, sq, buf, gavg []float32, c *rmspropCoef[float32]) {
	rmspropSpec(p, g, sq, buf, gavg, c)
}
func lookahead32Serial(fast, slow []float32, alpha float32) { lookaheadSpec(fast, slow, alpha) }
