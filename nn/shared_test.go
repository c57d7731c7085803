package nn_test

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// buildShared builds the network a case of testdata/shared_golden.json
// describes: "a" is Linear(2, 2), "b" Linear(2, 1), "r" ReLU, and a list
// [name, layers...] an inner Sequential, built once per name and reused.
func buildShared(t *testing.T, spec []any) *nn.Sequential[float64] {
	t.Helper()
	rng := tensor.NewRand(7)
	linear := func(in, out int) nn.Module[float64] {
		l, err := nn.NewLinear[float64](rng, in, out, nn.LinearOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	mods := map[string]nn.Module[float64]{"a": linear(2, 2), "b": linear(2, 1), "r": nn.ReLU[float64]{}}
	var build func(s any) nn.Module[float64]
	build = func(s any) nn.Module[float64] {
		if name, ok := s.(string); ok {
			return mods[name]
		}
		list := s.([]any)
		name := "seq " + list[0].(string)
		if m, ok := mods[name]; ok {
			return m
		}
		var layers []nn.Module[float64]
		for _, x := range list[1:] {
			layers = append(layers, build(x))
		}
		mods[name] = nn.NewSequential(layers...)
		return mods[name]
	}
	var layers []nn.Module[float64]
	for _, x := range spec {
		layers = append(layers, build(x))
	}
	return nn.NewSequential(layers...)
}

// TestSharedLayersMatchPyTorch uses a layer (or an inner Sequential) more
// than once: its parameters must be listed once, under PyTorch's
// named_parameters() names, and the model's own state dict must reload.
func TestSharedLayersMatchPyTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/shared_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name       string
		Spec       []any
		Parameters []string
		StateDict  []string `json:"state_dict"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			m := buildShared(t, c.Spec)
			var got []string
			for _, p := range m.Parameters() {
				got = append(got, p.Name)
			}
			if !slices.Equal(got, c.Parameters) {
				t.Fatalf("parameters %q, PyTorch's named_parameters %q", got, c.Parameters)
			}
			sd := nn.StateDict[float64](m)
			for _, e := range sd {
				if !slices.Contains(c.StateDict, e.Name) {
					t.Errorf("state dict entry %q is not in PyTorch's state_dict %q", e.Name, c.StateDict)
				}
			}
			saved := nn.CloneStateDict(sd)
			for _, p := range m.Parameters() {
				p.Value.Fill(3)
			}
			if err := nn.LoadStateDict(m, saved, true); err != nil {
				t.Fatalf("the model's own state dict does not reload: %v", err)
			}
			for i, p := range m.Parameters() {
				if !slices.Equal(p.Value.Data(), saved[i].Tensor.Data()) {
					t.Errorf("%s not restored by the reload", p.Name)
				}
			}
		})
	}
}

// TestSharedBatchNormListedOnce: a normalization layer used twice has one
// set of parameters and buffers, so its state dict lists each once, under
// the first name, and reloads strictly.
func TestSharedBatchNormListedOnce(t *testing.T) {
	bn, err := nn.NewBatchNorm1d[float64](3, nn.BatchNormOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := nn.NewSequential[float64](bn, nn.ReLU[float64]{}, bn)
	var names []string
	for _, e := range nn.StateDict[float64](s) {
		names = append(names, e.Name)
	}
	want := []string{"0.weight", "0.bias", "0.running_mean", "0.running_var", "0.num_batches_tracked"}
	if !slices.Equal(names, want) {
		t.Fatalf("state dict names %v, want %v", names, want)
	}
	if err := nn.LoadStateDict[float64](s, nn.CloneStateDict(nn.StateDict[float64](s)), true); err != nil {
		t.Fatalf("own state dict does not reload: %v", err)
	}
}
