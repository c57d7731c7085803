package initializer

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/descent-ml/descent/tensor"
)

// The deterministic schemes. The lecture's first warning applies to zeros,
// ones and constants: every unit of a layer computes the same function,
// receives the same gradient and stays a copy of its neighbours. Eye and
// Dirac make a layer start as the identity map, so a deep stack of them
// passes its input through unchanged (the idea behind identity-initialized
// residual and recurrent nets).

// Zeros fills with 0 (torch.nn.init.zeros_). The usual choice for biases;
// for weights it breaks symmetry not at all.
type Zeros struct{}

// Fill sets t to 0.
func (Zeros) Fill(t *tensor.Tensor[float64], _ *rand.Rand) error { t.Zero(); return nil }

// String returns "zeros".
func (Zeros) String() string { return "zeros" }

// Law is the point mass at 0.
func (Zeros) Law([]int) (Law, error) { return fixedLaw(0, 1), nil }

// Ones fills with 1 (torch.nn.init.ones_).
type Ones struct{}

// Fill sets t to 1.
func (Ones) Fill(t *tensor.Tensor[float64], _ *rand.Rand) error { t.Fill(1); return nil }

// String returns "ones".
func (Ones) String() string { return "ones" }

// Law is the point mass at 1.
func (Ones) Law([]int) (Law, error) { return fixedLaw(1, 1), nil }

// Constant fills with Val (torch.nn.init.constant_).
type Constant struct {
	Val float64 `kv:"val"`
}

// Fill sets t to c.Val.
func (c Constant) Fill(t *tensor.Tensor[float64], _ *rand.Rand) error { t.Fill(c.Val); return nil }

// String returns "constant(val=V)".
func (c Constant) String() string { return fmt.Sprintf("constant(val=%g)", c.Val) }

// Law is the point mass at Val.
func (c Constant) Law([]int) (Law, error) { return fixedLaw(c.Val, 1), nil }

// Eye fills a 2-D tensor with the identity matrix (torch.nn.init.eye_):
// W[i][i] = 1 for i < min(out, in), 0 elsewhere, so a Linear layer starts
// by passing through the first min(out, in) features.
type Eye struct{}

// Fill writes the identity into t, which must be 2-D.
func (Eye) Fill(t *tensor.Tensor[float64], _ *rand.Rand) error {
	if t.Dims() != 2 {
		return fmt.Errorf("initializer: eye needs a 2-D tensor, got shape %v", slices.Clone(t.Shape()))
	}
	t.Zero()
	for i := range min(t.Dim(0), t.Dim(1)) {
		t.Set(1, i, i)
	}
	return nil
}

// String returns "eye".
func (Eye) String() string { return "eye" }

// Law describes the fixed pattern: min(out, in) ones among out·in elements.
func (Eye) Law(shape []int) (Law, error) {
	if len(shape) != 2 {
		return Law{}, fmt.Errorf("initializer: eye needs a 2-D tensor, got shape %v", slices.Clone(shape))
	}
	return fixedLaw(1, float64(min(shape[0], shape[1]))/float64(shape[0]*shape[1])), nil
}

// Dirac fills a 3-, 4- or 5-D convolution kernel [out, in, k...] with the
// Dirac delta (torch.nn.init.dirac_ with groups = 1): kernel[i][i] has a 1
// at its centre for i < min(out, in), so the convolution starts as the
// identity on the first min(out, in) channels. The centre of an even
// dimension k is k/2, as in PyTorch.
type Dirac struct{}

// Fill writes the delta into t.
func (Dirac) Fill(t *tensor.Tensor[float64], _ *rand.Rand) error {
	if err := checkDirac(t.Shape()); err != nil {
		return err
	}
	t.Zero()
	shape := t.Shape()
	var idx [tensor.MaxDims]int
	for k := 2; k < len(shape); k++ {
		idx[k] = shape[k] / 2
	}
	for i := range min(shape[0], shape[1]) {
		idx[0], idx[1] = i, i
		t.Set(1, idx[:len(shape)]...)
	}
	return nil
}

func checkDirac(shape []int) error {
	if len(shape) < 3 || len(shape) > 5 {
		return fmt.Errorf("initializer: dirac needs a 3-, 4- or 5-D convolution kernel [out, in, k...], got shape %v", slices.Clone(shape))
	}
	return nil
}

// String returns "dirac".
func (Dirac) String() string { return "dirac" }

// Law describes the fixed pattern: min(out, in) ones among all elements.
func (Dirac) Law(shape []int) (Law, error) {
	if err := checkDirac(shape); err != nil {
		return Law{}, err
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	return fixedLaw(1, float64(min(shape[0], shape[1]))/float64(n)), nil
}
