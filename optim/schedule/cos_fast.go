package schedule

import (
	"math"
	"math/big"
)

// cosFast is cos's fast path: the same correctly rounded result, computed
// in double-double arithmetic (about 100 good bits) instead of math/big,
// so that a schedule step costs a few hundred nanoseconds and allocates
// nothing (training steps are checked to allocate nothing). It reports
// ok = false, leaving the answer to the big.Float path, when |x| > 2π or
// when the double-double value lies too close to a rounding midpoint to
// decide (about one input in 2⁴⁰).
//
// Method: Cody-Waite reduction r = x - k·π/2 with π/2 split in three
// doubles, the first of 48 bits so that k·P1 and x - k·P1 are exact; then
// the Taylor series of cos r or sin r (|r| ≤ π/4) by Horner's rule; then
// the rounding test of Ziv's strategy.
func cosFast(x float64) (float64, bool) {
	x = math.Abs(x)
	if !(x <= 2*math.Pi) { // also NaN
		return 0, false
	}
	k := math.Round(x / (math.Pi / 2))
	// a = x - k·P1 is exact: k ≤ 4 takes 3 bits and P1 has 48, and x and
	// k·P1 are within a factor of 2 when k > 0 (Sterbenz). k·P2 is split
	// exactly into p + e; k·P3 is below the precision that matters.
	a := x - k*halfPi[0]
	p, e := twoProd(k, halfPi[1])
	rh, rl := twoSum(a, -p)
	rh, rl = fastTwoSum(rh, rl-e-k*halfPi[2])
	var h, l float64
	if int(k)%2 == 0 {
		h, l = ddSeries(rh, rl, cosCoef[:])
	} else {
		h, l = ddSeries(rh, rl, sinCoef[:])
		h, l = ddMul(h, l, rh, rl) // sin r = r·(1 - r²/3! + ...)
	}
	if q := int(k) % 4; q == 1 || q == 2 {
		h, l = -h, -l
	}
	h, l = fastTwoSum(h, l)
	// Round h+l correctly: h is the answer unless the true value may lie
	// on the other side of the midpoint between h and its neighbour.
	mid := (math.Nextafter(h, math.Inf(1)) - h) / 2
	if l < 0 {
		mid = (h - math.Nextafter(h, math.Inf(-1))) / 2
	}
	if mid-math.Abs(l) <= 0x1p-90*math.Abs(h)+0x1p-1000 {
		return 0, false
	}
	return h, true
}

// halfPi is π/2 as P1 + P2 + P3, P1 with 48 significant bits.
var halfPi [3]float64

// cosCoef[i] and sinCoef[i] are (-1)^n/(2n)! and (-1)^n/(2n+1)! for
// n = len-i (highest first), each as a double-double (hi, lo): 16 terms
// take the series below 2⁻¹¹⁰ for |r| ≤ π/4.
var cosCoef, sinCoef [16][2]float64

func init() {
	hp := new(big.Float).SetPrec(prec).Quo(pi, big.NewFloat(2))
	rest := new(big.Float).SetPrec(prec).Set(hp)
	for i := range halfPi {
		v, _ := rest.Float64()
		if i == 0 {
			m, e := math.Frexp(v)
			v = math.Ldexp(math.Trunc(m*(1<<48)), e-48)
		}
		halfPi[i] = v
		rest.Sub(rest, big.NewFloat(v))
	}
	fact := new(big.Float).SetPrec(prec).SetInt64(1)
	for n := 1; n <= 2*len(cosCoef)+1; n++ {
		fact.Mul(fact, big.NewFloat(float64(n)))
		c := new(big.Float).SetPrec(prec).Quo(big.NewFloat(1), fact)
		if (n/2)%2 == 1 {
			c.Neg(c)
		}
		hi, _ := c.Float64()
		lo, _ := new(big.Float).SetPrec(prec).Sub(c, big.NewFloat(hi)).Float64()
		switch {
		case n%2 == 0 && n/2 <= len(cosCoef):
			cosCoef[len(cosCoef)-n/2] = [2]float64{hi, lo}
		case n%2 == 1 && n/2 >= 1 && n/2 <= len(sinCoef):
			sinCoef[len(sinCoef)-n/2] = [2]float64{hi, lo}
		}
	}
}

// ddSeries returns 1 + Σ coef[i]·r^(2n) by Horner's rule in r², where
// coef holds the coefficients of r^(2n), n = len(coef) down to 1.
func ddSeries(rh, rl float64, coef [][2]float64) (float64, float64) {
	r2h, r2l := ddMul(rh, rl, rh, rl)
	sh, sl := 0.0, 0.0
	for _, c := range coef {
		sh, sl = ddAdd(sh, sl, c[0], c[1])
		sh, sl = ddMul(sh, sl, r2h, r2l)
	}
	return ddAdd(sh, sl, 1, 0)
}

// Error-free transformations (Dekker, Knuth) and double-double arithmetic.

func twoSum(a, b float64) (float64, float64) {
	s := a + b
	bb := s - a
	return s, (a - (s - bb)) + (b - bb)
}

func fastTwoSum(a, b float64) (float64, float64) { // |a| ≥ |b|
	s := a + b
	return s, b - (s - a)
}

func twoProd(a, b float64) (float64, float64) {
	p := a * b
	return p, math.FMA(a, b, -p)
}

func ddAdd(ah, al, bh, bl float64) (float64, float64) {
	s, e := twoSum(ah, bh)
	t, f := twoSum(al, bl)
	e += t
	s, e = fastTwoSum(s, e)
	e += f
	return fastTwoSum(s, e)
}

func ddMul(ah, al, bh, bl float64) (float64, float64) {
	p, e := twoProd(ah, bh)
	e += ah*bl + al*bh
	return fastTwoSum(p, e)
}
