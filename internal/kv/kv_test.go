package kv_test

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/descent-ml/descent/internal/kv"
)

type config struct {
	LR         float64   `kv:"lr"`
	Beta1      float64   `kv:"beta1,list=betas"`
	Beta2      float64   `kv:"beta2,list=betas"`
	Steps      int       `kv:"steps"`
	Nesterov   bool      `kv:"nesterov"`
	Mode       string    `kv:"mode"`
	Milestones []int     `kv:"milestones"`
	Weights    []float64 `kv:"weights"`
	MaxNorm    float64   `kv:"max_norm,nonfinite"`
	hidden     int
}

func TestDecode(t *testing.T) {
	cases := []struct {
		in   string
		want config
		err  string
	}{
		{"", config{LR: 1}, ""},
		{"lr=0.5,steps=3,nesterov=true,mode=exp", config{LR: 0.5, Steps: 3, Nesterov: true, Mode: "exp"}, ""},
		{"betas=(0.8,0.9)", config{LR: 1, Beta1: 0.8, Beta2: 0.9}, ""},
		{"beta2=0.7", config{LR: 1, Beta2: 0.7}, ""},
		{"milestones=[30,80],weights=(1.5)", config{LR: 1, Milestones: []int{30, 80}, Weights: []float64{1.5}}, ""},
		{"milestones=5", config{LR: 1, Milestones: []int{5}}, ""},
		{"max_norm=inf", config{LR: 1, MaxNorm: posInf()}, ""},
		{"lr=inf", config{}, `lr: inf is not a finite number`},
		{"lr=NaN", config{}, `lr: NaN is not a finite number`},
		{"lr=x", config{}, `lr: malformed number "x"`},
		{"steps=1.5", config{}, `steps: malformed integer "1.5"`},
		{"nesterov=yes", config{}, `nesterov: want true or false, got "yes"`},
		{"milestones=[1,x]", config{}, `milestones: malformed integer "x"`},
		{"betas=0.9", config{}, `betas: want 2 values, got "0.9"`},
		{"momentum=0.9", config{}, `unknown setting "momentum"; valid settings: lr, beta1, beta2, steps, nesterov, mode, milestones, weights, max_norm`},
		{"hidden=1", config{}, `unknown setting "hidden"`},
		{"lr", config{}, `malformed setting "lr": want key=value`},
		{"lr=1,lr=2", config{}, `setting "lr" given twice`},
	}
	for _, c := range cases {
		got := config{LR: 1}
		err := kv.Decode(c.in, &got)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Decode(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Decode(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func posInf() float64 { var z float64; return 1 / z }

// TestFormatRoundTrip: Format writes what Decode reads back.
func TestFormatRoundTrip(t *testing.T) {
	in := config{LR: 0.1, Beta1: 0.9, Beta2: 1e-300, Steps: -2, Nesterov: true, Mode: "tri", Milestones: []int{1, 2}, Weights: []float64{0.1, 3}, MaxNorm: posInf()}
	var out config
	if err := kv.Decode(kv.Format(&in), &out); err != nil || !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip of %q: %+v, %v", kv.Format(&in), out, err)
	}
}

func Example() {
	type SGD struct {
		LR       float64 `kv:"lr"`
		Momentum float64 `kv:"momentum"`
		Nesterov bool    `kv:"nesterov"`
	}
	cfg := SGD{LR: 1e-3} // the defaults
	if err := kv.Decode("momentum=0.9,nesterov=true", &cfg); err != nil {
		fmt.Println(err)
	}
	fmt.Println(kv.Format(cfg))
	fmt.Println(kv.Keys(cfg))
	fmt.Println(kv.Decode("momentun=0.9", &cfg))
	// Output:
	// lr=0.001,momentum=0.9,nesterov=true
	// [lr momentum nesterov]
	// unknown setting "momentun"; valid settings: lr, momentum, nesterov
}

// TestJSON: every key, in field order, with JSON's types.
func TestJSON(t *testing.T) {
	type cfg struct {
		LR       float64 `kv:"lr"`
		Nesterov bool    `kv:"nesterov"`
		Steps    []int   `kv:"milestones"`
		Mode     string  `kv:"mode"`
		MaxNorm  float64 `kv:"max_norm,nonfinite"`
	}
	c := cfg{LR: 0.1, Nesterov: true, Steps: []int{3, 5}, Mode: "min", MaxNorm: math.Inf(1)}
	want := `{"lr":0.1,"nesterov":true,"milestones":[3,5],"mode":"min","max_norm":"+Inf"}`
	if got := string(kv.JSON(&c)); got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
	if got := string(kv.JSON(cfg{})); got != `{"lr":0,"nesterov":false,"milestones":[],"mode":"","max_norm":0}` {
		t.Errorf("JSON of the zero config = %s", got)
	}
}

func TestIntsFloats(t *testing.T) {
	for _, c := range []struct {
		in, ints, floats string // what each parses to, or the error
	}{
		{"256,784", "[256 784]", "[256 784]"},
		{" 1 , -2", "[1 -2]", "[1 -2]"},
		{"0.5,1e-3", `malformed integer "0.5"`, "[0.5 0.001]"},
		{"inf", `malformed integer "inf"`, "[+Inf]"},
		{"1,", `malformed integer ""`, `malformed number ""`},
		{"", `malformed integer ""`, `malformed number ""`},
	} {
		ints, err := kv.Ints(c.in)
		if got := fmt.Sprint(ints); err != nil {
			got = err.Error()
			if got != c.ints {
				t.Errorf("Ints(%q): %s, want %s", c.in, got, c.ints)
			}
		} else if got != c.ints {
			t.Errorf("Ints(%q): %s, want %s", c.in, got, c.ints)
		}
		floats, err := kv.Floats(c.in)
		got := fmt.Sprint(floats)
		if err != nil {
			got = err.Error()
		}
		if got != c.floats {
			t.Errorf("Floats(%q): %s, want %s", c.in, got, c.floats)
		}
	}
}
