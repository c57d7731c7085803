package initializer

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/descent-ml/descent/tensor"
)

// fanScaled is the shape shared by LeCun, Xavier and Kaiming: a zero-mean
// law whose std follows from the fans of the tensor's shape, drawn either
// uniform (bound sqrt(3)·std, since U(±a) has variance a²/3) or normal.
type fanScaled struct {
	std    func(shape []int) (float64, error)
	draw   func(d []float64, rng *rand.Rand, std float64)
	law    func(std float64) Law
	scheme string
}

func (f fanScaled) fill(t *tensor.Tensor[float64], rng *rand.Rand) error {
	std, err := f.std(t.Shape())
	if err != nil {
		return fmt.Errorf("initializer: %s: %w", f.scheme, unwrapPrefix(err))
	}
	if t.Len() > 0 {
		f.draw(t.Data(), rng, std)
	}
	return nil
}

func (f fanScaled) lawOf(shape []int) (Law, error) {
	std, err := f.std(shape)
	if err != nil {
		return Law{}, fmt.Errorf("initializer: %s: %w", f.scheme, unwrapPrefix(err))
	}
	if std == 0 || math.IsInf(std, 0) {
		return fixedLaw(0, 1), nil // a zero-element tensor: nothing is drawn
	}
	return f.law(std), nil
}

// drawUniform fills d from U(±sqrt(3)·std).
func drawUniform(d []float64, rng *rand.Rand, std float64) {
	a := math.Sqrt(3) * std
	for i := range d {
		d[i] = -a + 2*a*rng.Float64()
	}
}

// drawNormal fills d from N(0, std²).
func drawNormal(d []float64, rng *rand.Rand, std float64) {
	for i := range d {
		d[i] = std * rng.NormFloat64()
	}
}

func uniformStdLaw(std float64) Law { a := math.Sqrt(3) * std; return uniformLaw(-a, a) }
func normalStdLaw(std float64) Law  { return normalLaw(0, std) }

// checkGain rejects a gain that is not positive: the zero value of a
// scheme's struct would otherwise silently draw zeros.
func checkGain(scheme string, gain float64) error {
	if !(gain > 0) || math.IsInf(gain, 0) {
		return fmt.Errorf("initializer: %s needs a positive gain (PyTorch's default is 1), got %g", scheme, gain)
	}
	return nil
}

// unwrapPrefix drops the "initializer: " of a wrapped error so that the
// message names the package once.
func unwrapPrefix(err error) error {
	const p = "initializer: "
	if err == nil {
		return nil
	}
	if s := err.Error(); len(s) > len(p) && s[:len(p)] == p {
		return fmt.Errorf("%s", s[len(p):])
	}
	return err
}
