package optim

import (
	"math"

	"github.com/descent-ml/descent/autograd"
)

// ClipGradNorm rescales the gradients of params so that their global L2
// norm (the norm of all gradients concatenated) is at most maxNorm, and
// returns the norm before clipping: torch.nn.utils.clip_grad_norm_ with
// norm_type 2. As in PyTorch, the scale is maxNorm/(norm + 1e-6), applied
// only when it is below 1. A non-finite norm is returned as is (and the
// gradients are then scaled by 0 or NaN, as in PyTorch); callers that
// want PyTorch's error_if_nonfinite check the result.
//
// Each tensor's norm is accumulated in float64, then the norm of those
// norms is taken, as PyTorch stacks per-tensor norms.
func ClipGradNorm[T Float](params []*autograd.Var[T], maxNorm float64) float64 {
	var sq float64
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		var s float64
		for _, g := range p.Grad.Data() {
			s += float64(g) * float64(g)
		}
		n := math.Sqrt(s)
		sq += n * n
	}
	total := math.Sqrt(sq)
	coef := maxNorm / (total + 1e-6)
	if coef < 1 || math.IsNaN(coef) {
		c := T(coef)
		for _, p := range params {
			if p.Grad != nil {
				for i, g := range p.Grad.Data() {
					p.Grad.Data()[i] = g * c
				}
			}
		}
	}
	return total
}

// ClipGradValue clamps every gradient element of params to
// [-clip, clip]: torch.nn.utils.clip_grad_value_.
func ClipGradValue[T Float](params []*autograd.Var[T], clip float64) {
	c := T(clip)
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		d := p.Grad.Data()
		for i, g := range d {
			d[i] = min(max(g, -c), c)
		}
	}
}
