package initializer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/descent-ml/descent/tensor"
	"gonum.org/v1/gonum/mat"
)

// Orthogonal fills t with a random (semi-)orthogonal matrix times Gain
// (torch.nn.init.orthogonal_; Saxe, McClelland & Ganguli, "Exact solutions
// to the nonlinear dynamics of learning in deep linear neural networks",
// 2013, arXiv:1312.6120). Gain must be positive; PyTorch's default is 1.
//
// t is viewed as [rows, cols] with rows = shape[0] and cols the product of
// the other dimensions (a conv kernel [out, in, kh, kw] becomes
// [out, in·kh·kw]). A rows×cols matrix A of N(0, 1) draws is factored as
// A = QR (the transpose if rows < cols); Q's columns are multiplied by the
// signs of R's diagonal so that Q is uniformly (Haar) distributed rather
// than biased by the QR convention. The result has orthonormal rows (wide)
// or columns (tall), so a linear layer with it preserves the norm of its
// input, or of its gradient, exactly: no fading and no exploding at any
// depth.
type Orthogonal struct {
	Gain float64 `kv:"gain"`
}

// Fill draws an orthogonal matrix into t, which needs at least 2 dimensions.
func (o Orthogonal) Fill(t *tensor.Tensor[float64], rng *rand.Rand) error {
	if _, err := o.Law(t.Shape()); err != nil {
		return err
	}
	if t.Len() == 0 {
		return nil
	}
	rows := t.Dim(0)
	cols := t.Len() / rows
	d := t.Data()
	for i := range d {
		d[i] = rng.NormFloat64()
	}
	// Factor the tall orientation: QR of an m×n matrix with m >= n.
	a := mat.NewDense(rows, cols, d)
	var tall mat.Matrix = a
	if rows < cols {
		tall = a.T()
	}
	var qr mat.QR
	qr.Factorize(tall)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	m, n := tall.Dims()
	for i := range m {
		for j := range n {
			v := o.Gain * q.At(i, j) * sign(r.At(j, j))
			if rows < cols {
				d[j*cols+i] = v
			} else {
				d[i*cols+j] = v
			}
		}
	}
	return nil
}

// sign is torch.sign: -1, 0 or 1.
func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// String returns "orthogonal(gain=G)".
func (o Orthogonal) String() string { return fmt.Sprintf("orthogonal(gain=%g)", o.Gain) }

// Law: the squares of a semi-orthogonal rows×cols matrix sum to
// min(rows, cols), so an element's variance is Gain²/max(rows, cols). For
// large matrices the elements are close to normal with that variance.
func (o Orthogonal) Law(shape []int) (Law, error) {
	if len(shape) < 2 {
		return Law{}, fmt.Errorf("initializer: orthogonal needs at least 2 dimensions, got shape %v", slices.Clone(shape))
	}
	if err := checkGain("orthogonal", o.Gain); err != nil {
		return Law{}, err
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n == 0 {
		return fixedLaw(0, 1), nil
	}
	std := o.Gain / math.Sqrt(float64(max(shape[0], n/shape[0])))
	l := normalLaw(0, std)
	l.Lo, l.Hi, l.Approximate = -o.Gain, o.Gain, true
	return l, nil
}
