//go:build amd64 && !purego

package kernel

// The float32 steps of optstep_rules.go that have no assembly yet run
// their Go specs.

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
