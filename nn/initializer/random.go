package initializer

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/descent-ml/descent/tensor"
)

// The plain distributions, with fixed parameters that do not depend on the
// layer's size. The lecture lists them first; their trouble is that the
// right scale depends on the fan (see lecun.go, xavier.go, kaiming.go).

// Uniform draws from U[A, B) (torch.nn.init.uniform_; PyTorch's defaults
// are A = 0, B = 1). Each element has mean (A+B)/2 and variance
// (B-A)²/12.
type Uniform struct {
	A float64 `kv:"a"`
	B float64 `kv:"b"`
}

// Fill draws t from U[A, B).
func (u Uniform) Fill(t *tensor.Tensor[float64], rng *rand.Rand) error {
	if _, err := u.Law(nil); err != nil {
		return err
	}
	t.RandU(rng, u.A, u.B)
	return nil
}

// String returns "uniform(a=A,b=B)".
func (u Uniform) String() string { return fmt.Sprintf("uniform(a=%g,b=%g)", u.A, u.B) }

// Law is U(A, B).
func (u Uniform) Law([]int) (Law, error) {
	if !(u.A <= u.B) {
		return Law{}, fmt.Errorf("initializer: uniform needs a <= b, got a=%g b=%g", u.A, u.B)
	}
	return uniformLaw(u.A, u.B), nil
}

// Normal draws from N(Mean, Std²) (torch.nn.init.normal_; PyTorch's
// defaults are Mean = 0, Std = 1).
type Normal struct {
	Mean float64 `kv:"mean"`
	Std  float64 `kv:"std"`
}

// Fill draws t from N(Mean, Std²).
func (n Normal) Fill(t *tensor.Tensor[float64], rng *rand.Rand) error {
	if _, err := n.Law(nil); err != nil {
		return err
	}
	t.RandN(rng, n.Mean, n.Std)
	return nil
}

// String returns "normal(mean=M,std=S)".
func (n Normal) String() string { return fmt.Sprintf("normal(mean=%g,std=%g)", n.Mean, n.Std) }

// Law is N(Mean, Std²).
func (n Normal) Law([]int) (Law, error) {
	if !(n.Std >= 0) {
		return Law{}, fmt.Errorf("initializer: normal needs std >= 0, got %g", n.Std)
	}
	if n.Std == 0 {
		return fixedLaw(n.Mean, 1), nil
	}
	return normalLaw(n.Mean, n.Std), nil
}

// TruncNormal draws from N(Mean, Std²) conditioned on [A, B]
// (torch.nn.init.trunc_normal_; PyTorch's defaults are Mean = 0, Std = 1,
// A = -2, B = 2). A and B are absolute bounds, not multiples of Std, as in
// PyTorch.
//
// Sampling is PyTorch's inverse-CDF method: with Φ the standard normal
// distribution function, l = Φ((A-Mean)/Std) and u = Φ((B-Mean)/Std), draw
// v ~ U(2l-1, 2u-1) and return Mean + Std·sqrt(2)·erfinv(v), clamped to
// [A, B] against rounding. Every draw is used: no rejection loop.
type TruncNormal struct {
	Mean float64 `kv:"mean"`
	Std  float64 `kv:"std"`
	A    float64 `kv:"a"`
	B    float64 `kv:"b"`
}

// Fill draws t from the truncated normal.
func (tn TruncNormal) Fill(t *tensor.Tensor[float64], rng *rand.Rand) error {
	if _, err := tn.Law(nil); err != nil {
		return err
	}
	truncNormal(t.Data(), rng, tn.Mean, tn.Std, tn.A, tn.B)
	return nil
}

// truncNormal fills d from N(mean, std²) truncated to [a, b].
func truncNormal(d []float64, rng *rand.Rand, mean, std, a, b float64) {
	lo := 2*bigPhi((a-mean)/std) - 1
	hi := 2*bigPhi((b-mean)/std) - 1
	for i := range d {
		v := lo + (hi-lo)*rng.Float64()
		d[i] = min(max(mean+std*math.Sqrt2*math.Erfinv(v), a), b)
	}
}

// String returns "trunc_normal(mean=M,std=S,a=A,b=B)".
func (tn TruncNormal) String() string {
	return fmt.Sprintf("trunc_normal(mean=%g,std=%g,a=%g,b=%g)", tn.Mean, tn.Std, tn.A, tn.B)
}

// Law is the truncated normal.
func (tn TruncNormal) Law([]int) (Law, error) {
	if !(tn.Std > 0) || !(tn.A < tn.B) {
		return Law{}, fmt.Errorf("initializer: trunc_normal needs std > 0 and a < b, got std=%g a=%g b=%g", tn.Std, tn.A, tn.B)
	}
	return truncNormalLaw(tn.Mean, tn.Std, tn.A, tn.B), nil
}
