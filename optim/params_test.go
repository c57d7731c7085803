package optim_test

import (
	"math"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// TestDuplicateParams: testdata/make_params_reference.py. A parameter listed
// twice across groups is refused with PyTorch's message; listed twice
// within a group it is kept once (PyTorch 1.13 warns that this will become
// an error, then updates it twice: 1 -> 0.8 after one SGD step of lr 0.1
// with gradient 1; we update it once: 0.9).
func TestDuplicateParams(t *testing.T) {
	for _, name := range optim.Names() {
		w := vecParam("w", 1)
		_, err := newOptimizer(name, []*autograd.Var[float64]{w, w}, nil)
		if err != nil {
			t.Fatalf("%s over [w, w]: %v", name, err)
		}
	}
	w := vecParam("w", 1)
	sgd, err := optim.NewSGD([]*autograd.Var[float64]{w, w}, optim.SGDConfig{LR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(sgd.Groups()[0].Params); n != 1 {
		t.Errorf("group holds %d parameters, want 1", n)
	}
	w.Grad.Fill(1)
	sgd.Step()
	if got := w.Value.Data()[0]; got != 0.9 {
		t.Errorf("after one step w = %v, want 0.9 (updated once)", got)
	}
	if err := sgd.AddGroup([]*autograd.Var[float64]{w}, 0.1, 0); err == nil || !strings.Contains(err.Error(), "appears in more than one parameter group") {
		t.Errorf("w in a second group: err = %v", err)
	}
}

// TestNoGradientSkipped: a parameter the loss does not reach (its gradient
// is "None" after ZeroGrad, see autograd.Var.HasGrad) is not moved by
// weight decay or momentum, as in PyTorch (1.0 after 3 steps of SGD with
// momentum 0.9 and weight_decay 0.1); a parameter whose gradient is zero
// but was computed is (0.944379 in PyTorch with a zero gradient tensor).
func TestNoGradientSkipped(t *testing.T) {
	for _, name := range optim.Names() {
		u, x := vecParam("u", 1), vecParam("x", 1)
		settings := map[string]string{"weight_decay": "0.1"}
		switch name {
		case "sgd", "rmsprop":
			settings["momentum"] = "0.9"
		case "lookahead":
			settings = map[string]string{"inner": "sgd", "momentum": "0.9", "weight_decay": "0.1", "k": "1", "alpha": "0.5"}
		}
		opt, err := newOptimizer(name, []*autograd.Var[float64]{u, x}, settings)
		if err != nil {
			t.Fatal(err)
		}
		g := autograd.New[float64]()
		for range 3 {
			opt.ZeroGrad()
			two := autograd.NewConstant(tensor.FromSlice([]float64{2}, 1))
			g.Backward(g.Sum(g.Mul(x, two)))
			opt.Step()
		}
		if u.HasGrad() {
			t.Errorf("%s: u.HasGrad() after a backward pass that does not reach u", name)
		}
		if got := u.Value.Data()[0]; got != 1 {
			t.Errorf("%s: unused parameter moved to %v, want 1", name, got)
		}
		if x.Value.Data()[0] == 1 {
			t.Errorf("%s: used parameter did not move", name)
		}
	}
	// A computed zero gradient is a gradient: weight decay and momentum act.
	u := vecParam("u", 1)
	sgd, _ := optim.NewSGD([]*autograd.Var[float64]{u}, optim.SGDConfig{LR: 0.1, Momentum: 0.9, WeightDecay: 0.1})
	g := autograd.New[float64]()
	for range 3 {
		sgd.ZeroGrad()
		zero := autograd.NewConstant(tensor.FromSlice([]float64{0}, 1))
		g.Backward(g.Sum(g.Mul(u, zero)))
		sgd.Step()
	}
	if got := u.Value.Data()[0]; math.Abs(got-0.944379) > 1e-6 {
		t.Errorf("zero gradient: u = %v, PyTorch 0.944379", got)
	}
}
