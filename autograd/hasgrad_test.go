package autograd_test

import (
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// TestHasGrad: HasGrad is PyTorch's `p.grad is not None` after
// zero_grad(set_to_none=True): false after ZeroGrad until a backward pass
// reaches the parameter, true after one does, even if the gradient is 0.
func TestHasGrad(t *testing.T) {
	g := autograd.New[float64]()
	x := autograd.NewParam(tensor.FromSlice([]float64{1}, 1), "x")
	u := autograd.NewParam(tensor.FromSlice([]float64{1}, 1), "u")
	zero := autograd.NewConstant(tensor.FromSlice([]float64{0}, 1))
	x.ZeroGrad()
	u.ZeroGrad()
	if x.HasGrad() || u.HasGrad() {
		t.Fatal("HasGrad after ZeroGrad")
	}
	g.Backward(g.Sum(g.Mul(x, zero)))
	if !x.HasGrad() {
		t.Error("x reached by backward (gradient 0) has no gradient")
	}
	if u.HasGrad() {
		t.Error("u not reached by backward has a gradient")
	}
	x.ZeroGrad()
	if x.HasGrad() {
		t.Error("HasGrad after a second ZeroGrad")
	}
}
