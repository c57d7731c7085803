package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/descent-ml/descent/nn/initializer"
)

// TestInitTableMatchesTorch builds every golden case of nn/initializer
// through the name table, with torch's keyword arguments as --set, and
// checks the law against what torch drew from: names, keys and defaults
// are PyTorch's.
func TestInitTableMatchesTorch(t *testing.T) {
	b, err := os.ReadFile("../../nn/initializer/testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []struct {
			Scheme string
			Set    map[string]any
			Shape  []int
			Kind   string
			Lo, Hi float64
			Std    float64
		}
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	for _, c := range g.Cases {
		var kv []string
		for k, v := range c.Set {
			kv = append(kv, fmt.Sprintf("%s=%v", k, v))
		}
		sort.Strings(kv)
		set := strings.Join(kv, ",")
		init, err := initFromFlags(c.Scheme, set)
		if err != nil {
			t.Fatalf("%s --set %s: %v", c.Scheme, set, err)
		}
		law, err := initializer.LawOf(init, c.Shape)
		if err != nil || math.Abs(law.Std-c.Std) > 1e-14*c.Std || c.Kind == "uniform" && math.Abs(law.Hi-c.Hi) > 1e-14*c.Hi {
			t.Errorf("%s --set %s on %v: std %v hi %v (%v); torch std %v hi %v", c.Scheme, set, c.Shape, law.Std, law.Hi, err, c.Std, c.Hi)
		}
	}
}

func TestInitFromFlags(t *testing.T) {
	cases := []struct {
		name, set string
		want      string // the scheme's String, or a piece of the error
		ok        bool
	}{
		{"zeros", "", "zeros", true},
		{"constant", "val=0.5", "constant(val=0.5)", true},
		{"uniform", "", "uniform(a=0,b=1)", true},
		{"trunc_normal", "std=0.02", "trunc_normal(mean=0,std=0.02,a=-2,b=2)", true},
		{"kaiming_normal", "mode=fan_out,nonlinearity=relu", "kaiming_normal(a=0,mode=fan_out,nonlinearity=relu)", true},
		{"kaiming_uniform", "", "kaiming_uniform(a=0,mode=fan_in,nonlinearity=leaky_relu)", true},
		{"xavier_uniform", "gain=1.6667", "xavier_uniform(gain=1.6667)", true},
		{"he", "", "valid: zeros, ones", false},
		{"constant", "", "needs val=VALUE", false},
		{"xavier_uniform", "a=1", "valid keys: gain (default 1)", false},
		{"eye", "gain=2", "takes no settings", false},
		{"kaiming_normal", "mode=fan", "valid: fan_in, fan_out", false},
		{"kaiming_normal", "nonlinearity=swish", "valid: linear", false},
		{"normal", "std=x", `std: malformed number "x"`, false},
		{"normal", "std", "want key=value", false},
	}
	for _, c := range cases {
		init, err := initFromFlags(c.name, c.set)
		switch {
		case c.ok && (err != nil || init.String() != c.want):
			t.Errorf("initFromFlags(%q, %q) = %v, %v; want %s", c.name, c.set, init, err, c.want)
		case !c.ok && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("initFromFlags(%q, %q): err = %v, want one containing %q", c.name, c.set, err, c.want)
		}
	}
}

func TestInitList(t *testing.T) {
	list, err := initList("torch_default, kaiming_normal(nonlinearity=relu,mode=fan_out),xavier_uniform(gain=2)", "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range list {
		got = append(got, n.Label+"="+n.Init.String())
	}
	want := "torch_default=torch_default kaiming_normal(nonlinearity=relu,mode=fan_out)=kaiming_normal(a=0,mode=fan_out,nonlinearity=relu) xavier_uniform(gain=2)=xavier_uniform(gain=2)"
	if strings.Join(got, " ") != want {
		t.Errorf("got %v\nwant %v", got, want)
	}
	list, err = initList("xavier_uniform,orthogonal", "gain=3")
	if err != nil || list[0].Init.String() != "xavier_uniform(gain=3)" || list[1].Init.String() != "orthogonal(gain=3)" {
		t.Errorf("--init-set applied to a list: %v, %v", list, err)
	}
	for _, bad := range []string{"kaiming_normal(mode=fan_in", "nope", "xavier_uniform(a=1)"} {
		if _, err := initList(bad, ""); err == nil {
			t.Errorf("initList(%q): no error", bad)
		}
	}
}
