package main

import (
	"bytes"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/autograd/gradcheck"
	"github.com/descent-ml/descent/tensor"
)

func runGradcheckArgs(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	fs := flag.NewFlagSet("descent gradcheck", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	err := runGradcheck(&out, fs, args)
	return out.String(), err
}

func TestGradcheckModels(t *testing.T) {
	cases := []struct {
		model  string
		params []string
	}{
		{"mlp", []string{"0.weight [512,784]", "0.bias [512]", "2.weight [256,512]", "2.bias [256]", "4.weight [10,256]", "4.bias [10]"}},
		{"cnn", []string{"0.weight [32,1,3,3]", "0.bias [32]", "3.weight [64,32,3,3]", "3.bias [64]", "7.weight [128,1600]", "7.bias [128]", "9.weight [10,128]", "9.bias [10]"}},
	}
	for _, c := range cases {
		if c.model == "cnn" && testing.Short() {
			continue // about a second
		}
		out, err := runGradcheckArgs(t, "--model", c.model, "--samples", "3", "--seed", "4")
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.model, err, out)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != len(c.params)+2 {
			t.Fatalf("%s: %d lines:\n%s", c.model, len(lines), out)
		}
		for i, want := range c.params {
			f := strings.Fields(lines[i+1])
			if got := f[0] + " " + f[1]; got != want || f[2] != "3" || f[len(f)-1] != "PASS" {
				t.Errorf("%s: line %q, want %s with 3 checked and PASS", c.model, lines[i+1], want)
			}
		}
	}
}

// TestGradcheckReportsFailure feeds the table a failing result: it must
// say FAIL and count it.
func TestGradcheckReportsFailure(t *testing.T) {
	params := []*autograd.Var[float64]{autograd.NewParam(tensor.New[float64](2, 3), "0.weight"), autograd.NewParam(tensor.New[float64](2), "0.bias")}
	results := []gradcheck.Result{
		{Input: 0, Name: "0.weight", Checked: 6, MaxAbsErr: 0.5, MaxRelErr: 1, OK: false},
		{Input: 1, Name: "0.bias", Checked: 2, MaxAbsErr: 1e-11, OK: true},
	}
	var out bytes.Buffer
	if n := gradcheck.WriteReport(&out, params, results); n != 1 {
		t.Fatalf("%d failures counted, want 1", n)
	}
	s := out.String()
	if !strings.Contains(s, "0.weight   [2,3]") || !strings.Contains(s, "FAIL\n0.bias") || !strings.Contains(s, "1 of 2 parameters FAIL") {
		t.Fatalf("table:\n%s", s)
	}
}

func TestGradcheckBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--model", "vgg"}, {"--batch", "-1"}, {"--samples", "-2"}, {"extra"}} {
		_, err := runGradcheckArgs(t, args...)
		if _, ok := err.(*usageError); !ok {
			t.Errorf("%v: error %v, want a usage error", args, err)
		}
	}
}
