package kernel

import "math"

// The logistic sigmoid and tanh over arrays: the gate nonlinearities of
// recurrent layers (nn.LSTM evaluates five of them per hidden unit and
// step). float64 is exact to the math package; float32 runs the
// polynomial below, which the AVX2 assembly computes with the same
// operations in the same order (fused multiply-adds where fma32 is
// written), so both agree bit for bit.
//
// Accuracy of the float32 form, against float64 math rounded to float32,
// over every float32 input (TestActivationAccuracy): where the true value
// is at least 2⁻¹²⁶ in magnitude the error is at most actMaxULP units in
// the last place, below that (sigmoid of x < -87.3) at most 2⁻¹²⁶
// absolute; ±0, ±Inf and NaN give what torch.sigmoid and torch.tanh give
// (sigmoid(+Inf) = 1, sigmoid(-Inf) = 0, tanh(±Inf) = ±1, tanh(±0) = ±0,
// NaN passes through, quieted).

// actMaxULP is the float32 kernels' error bound in units in the last
// place; the test holds them to it.
const actMaxULP = 3

// Sigmoid computes dst[i] = 1/(1+e^(-x[i])) (torch.sigmoid). dst may be x.
// It panics if the lengths differ. For float64:
//
//	if x >= 0 { 1/(1+math.Exp(-x)) } else { e := math.Exp(x); e/(1+e) }
//
// For float32, with e = exp(-|x|) by expNeg32:
//
//	r := 1/(1+e); if x >= 0 (sign bit clear) { r } else { e*r }
func Sigmoid[T Float](dst, x []T) {
	if len(x) != len(dst) {
		badLengths("Sigmoid", "x", len(x), "dst", len(dst))
	}
	if isFloat32(T(0)) {
		sigmoid32(as32(dst), as32(x))
		return
	}
	sigmoid64(as64(dst), as64(x))
}

// Tanh computes dst[i] = tanh(x[i]) (torch.tanh). dst may be x. It panics
// if the lengths differ. float64 is math.Tanh. For float32, with a = |x|:
// near zero (a < 0.625) the odd polynomial a + a·a²·P(a²) of Cephes'
// tanhf, else with e = exp(-2a) by expNeg32, (1-e)/(1+e); then x's sign.
func Tanh[T Float](dst, x []T) {
	if len(x) != len(dst) {
		badLengths("Tanh", "x", len(x), "dst", len(dst))
	}
	if isFloat32(T(0)) {
		tanh32(as32(dst), as32(x))
		return
	}
	d, s := as64(dst), as64(x)
	for i, v := range s {
		d[i] = math.Tanh(v)
	}
}

func sigmoid64(dst, x []float64) {
	x = x[:len(dst)]
	for i, v := range x {
		if v >= 0 {
			dst[i] = 1 / (1 + math.Exp(-v))
			continue
		}
		e := math.Exp(v)
		dst[i] = e / (1 + e)
	}
}

// The float32 constants, typed so that the Go specification and the
// assembly (which reads them from actConsts) use the same values.
const (
	expMin   float32 = -88 // exp of anything below is 0 or a subnormal
	log2e    float32 = 1.44269504088896341
	expC1    float32 = 0.693359375 // ln 2 = expC1 + expC2; k·expC1 is exact
	expC2    float32 = -2.12194440e-4
	expP0    float32 = 1.9875691500e-4 // Cephes expf's minimax polynomial
	expP1    float32 = 1.3981999507e-3
	expP2    float32 = 8.3334519073e-3
	expP3    float32 = 4.1665795894e-2
	expP4    float32 = 1.6666665459e-1
	expP5    float32 = 5.0000001201e-1
	tanhCut  float32 = 0.625 // below, the polynomial; above, the exp form
	tanhT0   float32 = -5.70498872745e-3
	tanhT1   float32 = 2.06390887954e-2
	tanhT2   float32 = -5.37397155531e-2
	tanhT3   float32 = 1.33314422036e-1
	tanhT4   float32 = -3.33332819422e-1
	signMask         = 0x80000000
)

// expNeg32 is e^y for y <= 0 (or NaN) in float32, the way Cephes' expf
// does it: y = k·ln2 + r with |r| <= ln2/2 (ln 2 split in two so k·ln2 is
// exact enough), e^r = 1 + r + r²·P(r), and 2^k put into the exponent
// bits. y is first raised to -88, where k = -127 and 2^k is 0: e^y below
// about -87.7 is 0, between that and -87.3 a subnormal. The sums of
// products are fused multiply-adds (fma32, one rounding each), as the
// assembly's VFMADD instructions compute them; the other products are
// rounded before anything is added to them.
func expNeg32(y float32) float32 {
	y = max(y, expMin)
	kf := float32(math.Floor(float64(fma32(y, log2e, 0.5))))
	r := fma32(-kf, expC1, y)
	r = fma32(-kf, expC2, r)
	z := float32(r * r)
	p := fma32(expP0, r, expP1)
	p = fma32(p, r, expP2)
	p = fma32(p, r, expP3)
	p = fma32(p, r, expP4)
	p = fma32(p, r, expP5)
	e := fma32(p, z, r) + 1
	return e * math.Float32frombits(uint32(int32(kf)+127)<<23)
}

// fma32 is a·b + c rounded once to float32, as the FMA instructions
// compute it. The product of two float32 is exact in float64; the sum is
// rounded to float64 "to odd" (Boldo and Melquiond, "Emulation of FMA and
// correctly rounded sums: proved algorithms using rounding to odd", IEEE
// TC 2008: TwoSum gives the sum's rounding error, and an inexact result
// is moved to its neighbor with an odd last bit), after which rounding to
// float32 is correct: math.FMA on float64 alone would round twice.
func fma32(a, b, c float32) float32 {
	p := float64(float64(a) * float64(b)) // exact: 48 significant bits
	cc := float64(c)
	s := p + cc
	bb := s - p
	e := (p - (s - bb)) + (cc - bb) // s + e == p + cc exactly
	if e != 0 && math.Float64bits(s)&1 == 0 {
		bits := math.Float64bits(s)
		if (e > 0) == (s > 0) { // the exact sum is further from zero
			bits++
		} else {
			bits--
		}
		s = math.Float64frombits(bits)
	}
	return float32(s)
}

// sigmoidSpec32 is float32 Sigmoid's specification.
func sigmoidSpec32(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		if v != v {
			dst[i] = v + 0 // quieted, as arithmetic on it would
			continue
		}
		bits := math.Float32bits(v)
		e := expNeg32(math.Float32frombits(bits | signMask))
		r := 1 / (1 + e)
		if bits&signMask != 0 {
			r = e * r
		}
		dst[i] = r
	}
}

// tanhSpec32 is float32 Tanh's specification.
func tanhSpec32(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		if v != v {
			dst[i] = v + 0
			continue
		}
		bits := math.Float32bits(v)
		a := math.Float32frombits(bits &^ signMask)
		var r float32
		if a < tanhCut {
			z := float32(a * a)
			p := fma32(tanhT0, z, tanhT1)
			p = fma32(p, z, tanhT2)
			p = fma32(p, z, tanhT3)
			p = fma32(p, z, tanhT4)
			r = fma32(float32(p*z), a, a)
		} else {
			e := expNeg32(math.Float32frombits(math.Float32bits(a+a) | signMask))
			r = (1 - e) / (1 + e)
		}
		dst[i] = math.Float32frombits(math.Float32bits(r) | bits&signMask) // tanh is odd
	}
}
