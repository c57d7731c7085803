package optim_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// TestResumeIsBitIdentical: an optimizer rebuilt from a State snapshot
// (over parameters restored to the same values) takes exactly the steps
// the original would have taken.
func TestResumeIsBitIdentical(t *testing.T) {
	for _, o := range allOptimizers {
		rng := tensor.NewRand(3)
		params := bigParams(4)
		grads := make([]*tensor.Tensor[float32], 10)
		for i := range grads {
			grads[i] = tensor.New[float32](params[1].Value.Shape()...)
			grads[i].RandN(rng, 0, 1)
		}
		step := func(opt optim.Optimizer[float32], ps []*autograd.Var[float32], i int) {
			ps[1].Grad.CopyFrom(grads[i])
			opt.Step()
		}
		opt, err := newOptimizer(o.name, params, o.settings)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			step(opt, params, i)
		}
		st := opt.State()
		saved := []*tensor.Tensor[float32]{params[0].Value.Clone(), params[1].Value.Clone()}
		for i := 5; i < 10; i++ {
			step(opt, params, i)
		}

		resumed := bigParams(99) // different values, overwritten below
		resumed[0].Value.CopyFrom(saved[0])
		resumed[1].Value.CopyFrom(saved[1])
		resumed[0].Grad.CopyFrom(params[0].Grad)
		opt2, err := newOptimizer(o.name, resumed, o.settings)
		if err != nil {
			t.Fatal(err)
		}
		if err := opt2.LoadState(st); err != nil {
			t.Fatalf("%s: %v", o.name, err)
		}
		for i := 5; i < 10; i++ {
			step(opt2, resumed, i)
		}
		for k := range params {
			for j, v := range params[k].Value.Data() {
				if w := resumed[k].Value.Data()[j]; v != w {
					t.Fatalf("%s: param %d[%d] = %v after resuming, %v without", o.name, k, j, w, v)
				}
			}
		}
	}
}

// TestLoadStateRejects: states of another optimizer, another model or
// another configuration are errors, not silent garbage.
func TestLoadStateRejects(t *testing.T) {
	p := []*autograd.Var[float64]{vecParam("w", 1, 2)}
	adam, _ := optim.NewAdam(p, optim.AdamDefaults())
	adam.Step()
	sgd, _ := optim.NewSGD(p, optim.SGDConfig{LR: 0.1, Momentum: 0.9})
	sgd.Step()
	other, _ := optim.NewAdam([]*autograd.Var[float64]{vecParam("w", 1, 2, 3)}, optim.AdamDefaults())
	withoutMomentum, _ := optim.NewSGD([]*autograd.Var[float64]{vecParam("w", 1, 2)}, optim.SGDConfig{LR: 0.1})
	tests := []struct {
		name string
		into optim.Optimizer[float64]
		st   *optim.State[float64]
		want string
	}{
		{"kind", adam, sgd.State(), `cannot load the state of a "sgd" optimizer`},
		{"shape", other, adam.State(), "has shape [2], parameter 0 has shape [3]"},
		{"config", withoutMomentum, sgd.State(), ""},
	}
	for _, tt := range tests {
		err := tt.into.LoadState(tt.st)
		if tt.want == "" {
			// SGD without momentum ignores nothing silently: the buffer key
			// is consumed (momentum may be switched on later).
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	st := adam.State()
	st.Scalars["7.step"] = 1
	if err := adam.LoadState(st); err == nil || !strings.Contains(err.Error(), "unexpected keys 7.step") {
		t.Errorf("unknown key: error %v", err)
	}
}

// TestInvalidSettings: PyTorch's argument checks, as errors naming the
// argument and the valid range.
func TestInvalidSettings(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]string
		want     string
	}{
		{"sgd", map[string]string{"lr": "-1"}, "invalid learning rate -1"},
		{"sgd", map[string]string{"momentum": "-0.5"}, "invalid momentum"},
		{"sgd", map[string]string{"nesterov": "true"}, "Nesterov momentum requires a momentum > 0 and zero dampening"},
		{"sgd", map[string]string{"nesterov": "true", "momentum": "0.9", "dampening": "0.1"}, "zero dampening"},
		{"sgd", map[string]string{"weight_decay": "-1"}, "invalid weight_decay"},
		{"sgd", map[string]string{"nesterov": "yes"}, "want true or false"},
		{"sgd", map[string]string{"betas": "0.9"}, `unknown setting "betas"; valid settings: lr, momentum, dampening, weight_decay, nesterov, maximize`},
		{"adam", map[string]string{"beta1": "1"}, "invalid beta1 1 (want 0 <= beta1 < 1)"},
		{"adam", map[string]string{"beta2": "-0.1"}, "invalid beta2"},
		{"adam", map[string]string{"eps": "-1"}, "invalid eps"},
		{"adamax", map[string]string{"amsgrad": "true"}, `unknown setting "amsgrad"`},
		{"radam", map[string]string{"amsgrad": "true"}, `unknown setting "amsgrad"`},
		{"adagrad", map[string]string{"lr_decay": "-1"}, "invalid lr_decay"},
		{"adagrad", map[string]string{"initial_accumulator_value": "-1"}, "invalid initial_accumulator_value"},
		{"rmsprop", map[string]string{"alpha": "-1"}, "invalid alpha"},
		{"adadelta", map[string]string{"rho": "1.5"}, "invalid rho 1.5"},
		{"nadam", map[string]string{"momentum_decay": "-1"}, "invalid momentum_decay"},
		{"lookahead", map[string]string{"inner": "sgd", "k": "0"}, "invalid k 0"},
		{"lookahead", map[string]string{"inner": "sgd", "alpha": "2"}, "invalid alpha 2"},
	}
	for _, tt := range tests {
		_, err := newOptimizer(tt.name, []*autograd.Var[float64]{vecParam("w", 1)}, tt.settings)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %v: error %v, want one containing %q", tt.name, tt.settings, err, tt.want)
		}
	}
}

// TestGroupsShareNothing: a parameter may be in one group only, and a
// group's LR changed between steps (as schedules do) takes effect.
func TestGroups(t *testing.T) {
	a, b := vecParam("a", 1), vecParam("b", 1)
	opt, err := optim.NewSGD([]*autograd.Var[float64]{a}, optim.SGDConfig{LR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if err := opt.AddGroup([]*autograd.Var[float64]{a}, 0.1, 0); err == nil {
		t.Error("a parameter in two groups was accepted")
	}
	if err := opt.AddGroup([]*autograd.Var[float64]{b}, 0.5, 0); err != nil {
		t.Fatal(err)
	}
	a.Grad.Fill(1)
	b.Grad.Fill(1)
	opt.Step() // a: 1 - 0.1 = 0.9, b: 1 - 0.5 = 0.5
	opt.Groups()[0].LR = 0.2
	opt.Step() // a: 0.9 - 0.2 = 0.7, b: 0.5 - 0.5 = 0
	if got := []float64{a.Value.Data()[0], b.Value.Data()[0]}; got[0] != 0.9-0.2 || got[1] != 0 {
		t.Errorf("after two steps a, b = %v, want [0.7 0]", got)
	}
}

// TestClipGradValue clamps each element.
func TestClipGradValue(t *testing.T) {
	p := vecParam("p", 0, 0, 0, 0)
	copy(p.Grad.Data(), []float64{-3, -0.5, 0.25, 7})
	optim.ClipGradValue([]*autograd.Var[float64]{p}, 1)
	want := []float64{-1, -0.5, 0.25, 1}
	for i, v := range p.Grad.Data() {
		if v != want[i] {
			t.Errorf("grad = %v, want %v", p.Grad.Data(), want)
			break
		}
	}
}

// TestStateNames pins the state layout that checkpoints carry: PyTorch's
// names for each optimizer's per-parameter state, present only once the
// buffer exists, and nothing for a parameter that has not stepped (here
// one whose gradient is None).
func TestStateNames(t *testing.T) {
	group := []string{"group.0.lr", "group.0.weight_decay"}
	for _, c := range []struct {
		name     string
		settings map[string]string
		want     []string // keys of parameter 0 besides 0.step
	}{
		{"sgd", nil, nil},
		{"sgd", map[string]string{"momentum": "0.9"}, []string{"momentum_buffer"}},
		{"adagrad", nil, []string{"sum"}},
		{"rmsprop", nil, []string{"square_avg"}},
		{"rmsprop", map[string]string{"momentum": "0.5", "centered": "true"}, []string{"square_avg", "momentum_buffer", "grad_avg"}},
		{"adadelta", nil, []string{"square_avg", "acc_delta"}},
		{"adam", nil, []string{"exp_avg", "exp_avg_sq"}},
		{"adam", map[string]string{"amsgrad": "true"}, []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}},
		{"adamw", nil, []string{"exp_avg", "exp_avg_sq"}},
		{"adamax", nil, []string{"exp_avg", "exp_inf"}},
		{"nadam", nil, []string{"exp_avg", "exp_avg_sq", "mu_product"}},
		{"radam", nil, []string{"exp_avg", "exp_avg_sq"}},
	} {
		w, idle := vecParam("w", 1, -2, 3), vecParam("idle", 4)
		idle.ZeroGrad() // gradient None: never stepped, no state
		w.Grad.Fill(0.5)
		opt, err := newOptimizer(c.name, []*autograd.Var[float64]{w, idle}, c.settings)
		if err != nil {
			t.Fatal(err)
		}
		opt.Step()
		opt.Step()
		st := opt.State()
		want := append(slices.Clone(group), "0.step")
		for _, k := range c.want {
			want = append(want, "0."+k)
		}
		got := append(slices.Collect(maps.Keys(st.Scalars)), slices.Collect(maps.Keys(st.Tensors))...)
		slices.Sort(want)
		slices.Sort(got)
		if st.Optimizer != c.name || !slices.Equal(got, want) {
			t.Errorf("%s %v: state %q has keys %q, want %q", c.name, c.settings, st.Optimizer, got, want)
		}
		if st.Scalars["0.step"] != 2 {
			t.Errorf("%s: 0.step = %v, want 2", c.name, st.Scalars["0.step"])
		}
		for k, v := range st.Tensors {
			if !slices.Equal(v.Shape(), []int{3}) {
				t.Errorf("%s: %s has shape %v, want [3]", c.name, k, v.Shape())
			}
		}
	}
}
