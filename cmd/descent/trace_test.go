package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// runCmd runs one of this file's commands with its own flag set.
func runCmd(t *testing.T, run func(w io.Writer, fs *flag.FlagSet, args []string) error, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	err := run(&out, fs, args)
	return out.String(), err
}

func traceCmd(w io.Writer, fs *flag.FlagSet, args []string) error {
	return runTrace(w, io.Discard, fs, args)
}

// TestTraceGolden runs `descent trace` on each function and compares its
// CSV with PyTorch's run of the same optimizer (testdata/make_trace_golden.py):
// gradients from descent's autograd, updates from descent's optimizers.
func TestTraceGolden(t *testing.T) {
	b, err := os.ReadFile("testdata/trace_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []struct {
			Func, Opt, Set string
			LR             float64
			Start          []float64
			Steps          int
			Rows           [][]float64
		}
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	for _, c := range g.Cases {
		args := []string{"--func", c.Func, "--opt", c.Opt, "--lr", formatFloat(c.LR),
			"--from", formatFloat(c.Start[0]) + "," + formatFloat(c.Start[1]), "--steps", strconv.Itoa(c.Steps)}
		if c.Set != "" {
			args = append(args, "--set", c.Set)
		}
		out, err := runCmd(t, traceCmd, args...)
		if err != nil {
			t.Fatalf("descent trace %v: %v", args, err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if lines[0] != "step,x,y,f" || len(lines) != c.Steps+2 {
			t.Fatalf("descent trace %v: header %q and %d lines, want step,x,y,f and %d", args, lines[0], len(lines), c.Steps+2)
		}
		worst := 0.0
		for i, line := range lines[1:] {
			f := strings.Split(line, ",")
			if f[0] != strconv.Itoa(i) {
				t.Fatalf("row %d starts with %q", i, f[0])
			}
			for k, want := range c.Rows[i] {
				got, _ := strconv.ParseFloat(f[k+1], 64)
				e := math.Abs(got-want) / math.Max(math.Abs(want), 1e-6)
				worst = max(worst, e)
				if e > 1e-12 {
					t.Fatalf("descent trace %v: step %d column %d = %v, PyTorch %v", args, i, k+1, got, want)
				}
			}
		}
		t.Logf("%s %s: max rel err %.2g over %d steps", c.Func, c.Opt, worst, c.Steps)
	}
}

// TestTraceRace: a race prints opt,step,x,y,f for each optimizer and draws
// PNG and GIF files.
func TestTraceRace(t *testing.T) {
	dir := t.TempDir()
	exts := []string{".png", ".gif"}
	if testing.Short() {
		exts = exts[:1] // the GIF takes a few seconds
	}
	for _, ext := range exts {
		path := filepath.Join(dir, "race"+ext)
		out, err := runCmd(t, traceCmd, "--func", "himmelblau", "--opt", "sgd,momentum,nesterov,adam,lookahead",
			"--lr", "0.01,0.01,0.01,0.1,0.01", "--steps", "10", "--set", "beta1=0.8,adam.eps=1e-6,inner=adam", "--plot", path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if lines[0] != "opt,step,x,y,f" || len(lines) != 1+5*11 || !strings.HasPrefix(lines[len(lines)-1], "lookahead,10,") {
			t.Errorf("race CSV: %d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
		}
		if st, err := os.Stat(path); err != nil || st.Size() < 1000 {
			t.Errorf("%s not written: %v", path, err)
		}
	}
}

// TestTraceUsageErrors: unknown names and keys are errors listing the
// valid ones.
func TestTraceUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--func", "sphere", "--opt", "sgd"}, "valid functions: rosenbrock, beale, himmelblau, saddle, bowl"},
		{[]string{"--func", "bowl"}, "--opt is required"},
		{[]string{"--func", "bowl", "--opt", "adamm"}, "valid optimizers: sgd, adagrad, rmsprop, adadelta, adam, adamw, adamax, nadam, radam, lookahead"},
		{[]string{"--func", "bowl", "--opt", "adam", "--set", "betas=0.9"}, "valid settings: lr, beta1, beta2, eps, weight_decay, amsgrad, maximize"},
		{[]string{"--func", "bowl", "--opt", "sgd", "--set", "nesterov=true"}, "Nesterov momentum requires a momentum"},
		{[]string{"--func", "bowl", "--opt", "sgd", "--set", "momentum=x"}, "malformed number"},
		{[]string{"--func", "bowl", "--opt", "sgd", "--lr", "0.1", "--set", "lr=0.1"}, "give the learning rate with --lr"},
		{[]string{"--func", "bowl", "--opt", "adamax", "--set", "amsgrad=true"}, `unknown setting "amsgrad"`},
		{[]string{"--func", "bowl", "--opt", "lookahead", "--set", "inner=lookahead"}, "inner must be another optimizer"},
		{[]string{"--func", "bowl", "--opt", "lookahead", "--set", "inner=rmsprop,inner.rho=0.9"}, `unknown setting "rho"`},
		{[]string{"--func", "bowl", "--opt", "sgd,adam", "--set", "rho=0.9"}, `no optimizer of sgd,adam takes "rho"`},
		{[]string{"--func", "bowl", "--opt", "sgd,adam", "--lr", "0.1,0.2,0.3"}, "3 learning rates for 2 optimizers"},
		{[]string{"--func", "bowl", "--opt", "sgd", "--from", "1"}, "--from: want X,Y"},
		{[]string{"--func", "bowl", "--opt", "sgd", "--plot", "x.svg"}, "race is drawn as .png"},
	}
	for _, c := range cases {
		_, err := runCmd(t, traceCmd, c.args...)
		var ue *usageError
		if err == nil || !strings.Contains(err.Error(), c.want) || !asUsage(err, &ue) {
			t.Errorf("descent trace %v: error %v; want a usage error containing %q", c.args, err, c.want)
		}
	}
}

func asUsage(err error, ue **usageError) bool {
	u, ok := err.(*usageError)
	*ue = u
	return ok
}

// TestTraceLookaheadKeys: inner.KEY reaches the inner optimizer's key of
// the same name as Lookahead's (alpha), and k, alpha configure Lookahead.
func TestTraceLookaheadKeys(t *testing.T) {
	a, err := runCmd(t, traceCmd, "--func", "bowl", "--opt", "lookahead", "--lr", "0.01", "--steps", "6",
		"--set", "inner=rmsprop,inner.alpha=0.5,k=3,alpha=0.5")
	if err != nil {
		t.Fatal(err)
	}
	b, err := runCmd(t, traceCmd, "--func", "bowl", "--opt", "lookahead", "--lr", "0.01", "--steps", "6",
		"--set", "inner=rmsprop,k=3,alpha=0.5")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Error("inner.alpha=0.5 did not change RMSprop's alpha")
	}
}
