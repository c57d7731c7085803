package initializer

import (
	"fmt"
	"math"
)

// Law is the distribution of one element of a tensor drawn by a scheme:
// what a histogram of the draw should look like. `descent init` prints Std
// beside the measured one and plots Density over the histogram.
type Law struct {
	Mean, Std float64 // of one element
	Lo, Hi    float64 // the support; ±Inf where unbounded
	// Density is the element's probability density, nil for schemes whose
	// values are fixed (zeros, constant, eye, dirac): their Mean and Std are
	// those of the fixed pattern.
	Density func(x float64) float64
	// Approximate is set where Density is an approximation (the entries of
	// a random orthogonal matrix are only close to normal).
	Approximate bool
}

// Theory is implemented by schemes that know the law of what they draw.
// Every scheme of this package does.
type Theory interface {
	// Law returns the distribution of one element of a tensor of shape
	// shape, or the error Fill would return for that shape.
	Law(shape []int) (Law, error)
}

// LawOf returns init's law for shape, or an error if init does not
// implement Theory.
func LawOf(init Initializer, shape []int) (Law, error) {
	t, ok := init.(Theory)
	if !ok {
		return Law{}, fmt.Errorf("initializer: %s does not state its distribution", init)
	}
	return t.Law(shape)
}

// uniformLaw is U(a, b): mean (a+b)/2, std (b-a)/sqrt(12).
func uniformLaw(a, b float64) Law {
	density := 1 / (b - a)
	return Law{Mean: (a + b) / 2, Std: (b - a) / math.Sqrt(12), Lo: a, Hi: b,
		Density: func(x float64) float64 {
			if x < a || x > b {
				return 0
			}
			return density
		}}
}

// normalLaw is N(mean, std²).
func normalLaw(mean, std float64) Law {
	return Law{Mean: mean, Std: std, Lo: math.Inf(-1), Hi: math.Inf(1),
		Density: func(x float64) float64 { return phi((x-mean)/std) / std }}
}

// truncNormalLaw is N(mean, std²) conditioned on [a, b]. With α, β the
// standardized bounds and Z = Φ(β) - Φ(α), its mean is
// mean + std·(φ(α) - φ(β))/Z and its variance
// std²·(1 + (αφ(α) - βφ(β))/Z - ((φ(α) - φ(β))/Z)²).
func truncNormalLaw(mean, std, a, b float64) Law {
	alpha, beta := (a-mean)/std, (b-mean)/std
	z := bigPhi(beta) - bigPhi(alpha)
	d := (phi(alpha) - phi(beta)) / z
	v := 1 + (xphi(alpha)-xphi(beta))/z - d*d
	return Law{Mean: mean + std*d, Std: std * math.Sqrt(v), Lo: a, Hi: b,
		Density: func(x float64) float64 {
			if x < a || x > b {
				return 0
			}
			return phi((x-mean)/std) / (std * z)
		}}
}

// fixedLaw describes a deterministic tensor in which a fraction p of the
// elements is v and the rest 0.
func fixedLaw(v, p float64) Law {
	lo, hi := min(0, v), max(0, v)
	if p == 1 {
		lo, hi = v, v
	}
	return Law{Mean: v * p, Std: math.Abs(v) * math.Sqrt(p*(1-p)), Lo: lo, Hi: hi}
}

// phi is the standard normal density.
func phi(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }

// xphi is x·φ(x), 0 at ±Inf.
func xphi(x float64) float64 {
	if math.IsInf(x, 0) {
		return 0
	}
	return x * phi(x)
}

// bigPhi is the standard normal distribution function.
func bigPhi(x float64) float64 { return (1 + math.Erf(x/math.Sqrt2)) / 2 }
