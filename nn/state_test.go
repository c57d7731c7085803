package nn_test

import (
	"strings"
	"testing"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// twoLayer returns a Linear(3,4)-ReLU-Linear(4,2) network drawn from seed.
func twoLayer(t *testing.T, seed uint64, hidden int) *nn.Sequential[float64] {
	t.Helper()
	rng := tensor.NewRand(seed)
	l1, err := nn.NewLinear[float64](rng, 3, hidden, nn.LinearOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l2, err := nn.NewLinear[float64](rng, hidden, 2, nn.LinearOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return nn.NewSequential[float64](l1, nn.ReLU[float64]{}, l2)
}

func TestStateDictNamesAndAliasing(t *testing.T) {
	m := twoLayer(t, 1, 4)
	sd := nn.StateDict[float64](m)
	var got []string
	for _, e := range sd {
		got = append(got, e.Name)
	}
	if want := "0.weight 0.bias 2.weight 2.bias"; strings.Join(got, " ") != want {
		t.Fatalf("names %q, want %q", got, want)
	}
	sd[0].Tensor.Data()[0] = 42
	if m.Parameters()[0].Value.Data()[0] != 42 {
		t.Fatal("StateDict copied the tensors; PyTorch's state_dict aliases them")
	}
	c := nn.CloneStateDict(sd)
	c[0].Tensor.Data()[0] = 7
	if sd[0].Tensor.Data()[0] != 42 {
		t.Fatal("CloneStateDict shares storage")
	}
	f := nn.ConvertStateDict[float32](sd)
	if f[0].Name != "0.weight" || f[0].Tensor.Data()[0] != 42 || !tensor.EqualShapes(f[2].Tensor.Shape(), []int{2, 4}) {
		t.Fatalf("ConvertStateDict gave %s %v", f[0].Name, f[2].Tensor.Shape())
	}
}

func TestLoadStateDict(t *testing.T) {
	type tc struct {
		name    string
		edit    func(sd []nn.NamedTensor[float64]) []nn.NamedTensor[float64]
		strict  bool
		wantErr string // substring; "" means success
	}
	cases := []tc{
		{"exact", func(sd []nn.NamedTensor[float64]) []nn.NamedTensor[float64] { return sd }, true, ""},
		{"missing strict", func(sd []nn.NamedTensor[float64]) []nn.NamedTensor[float64] { return sd[:3] }, true, "missing 2.bias"},
		{"missing lenient", func(sd []nn.NamedTensor[float64]) []nn.NamedTensor[float64] { return sd[:3] }, false, ""},
		{"unexpected strict", func(sd []nn.NamedTensor[float64]) []nn.NamedTensor[float64] {
			return append(sd, nn.NamedTensor[float64]{Name: "4.weight", Tensor: tensor.New[float64](1)})
		}, true, "unexpected 4.weight"},
		{"unexpected lenient", func(sd []nn.NamedTensor[float64]) []nn.NamedTensor[float64] {
			return append(sd, nn.NamedTensor[float64]{Name: "4.weight", Tensor: tensor.New[float64](1)})
		}, false, ""},
		{"shape mismatch", func(sd []nn.NamedTensor[float64]) []nn.NamedTensor[float64] {
			sd[2].Tensor = tensor.New[float64](2, 5)
			return sd
		}, false, `"2.weight" has shape [2 5] in the state dict but [2 4] in the model`},
		{"duplicate", func(sd []nn.NamedTensor[float64]) []nn.NamedTensor[float64] { return append(sd, sd[0]) }, false, "appears twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := nn.CloneStateDict(nn.StateDict[float64](twoLayer(t, 2, 4)))
			dst := twoLayer(t, 3, 4)
			before := nn.CloneStateDict(nn.StateDict[float64](dst))
			given := c.edit(src)
			err := nn.LoadStateDict[float64](dst, given, c.strict)
			after := nn.StateDict[float64](dst)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				for i := range after {
					if !equal(after[i].Tensor, before[i].Tensor) {
						t.Fatalf("a failed load changed %s", after[i].Name)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range after {
				want := before[i].Tensor // not in the state dict: untouched
				for _, s := range given {
					if s.Name == e.Name {
						want = s.Tensor
					}
				}
				if !equal(e.Tensor, want) {
					t.Fatalf("%s not loaded as expected", e.Name)
				}
			}
		})
	}
}

func TestLoadPartialReports(t *testing.T) {
	src := nn.StateDict[float64](twoLayer(t, 2, 4))[:2] // only the first layer
	src = append(src, nn.NamedTensor[float64]{Name: "extra", Tensor: tensor.New[float64](3)})
	dst := twoLayer(t, 3, 4)
	r, err := nn.LoadPartial[float64](dst, src)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Loaded, ",") + "|" + strings.Join(r.Missing, ",") + "|" + strings.Join(r.Unexpected, ","); got != "0.weight,0.bias|2.weight,2.bias|extra" {
		t.Fatalf("report %s", got)
	}
	if !equal(nn.StateDict[float64](dst)[0].Tensor, src[0].Tensor) {
		t.Fatal("0.weight not loaded")
	}
	if _, err := nn.LoadPartial[float64](twoLayer(t, 3, 5), src); err == nil {
		t.Fatal("LoadPartial accepted a shape mismatch")
	}
}

func equal(a, b *tensor.Tensor[float64]) bool {
	if !tensor.SameShape(a, b) {
		return false
	}
	for i, v := range a.Data() {
		if b.Data()[i] != v {
			return false
		}
	}
	return true
}
