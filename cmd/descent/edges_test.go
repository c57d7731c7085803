package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/descent-ml/descent/safetensors"
	"github.com/descent-ml/descent/train"
)

// runBounded runs the command line in-process, as main does, and fails
// the test if it does not end within limit (a log-scale plot with nothing
// positive once looped forever). Commands that print their results to
// os.Stdout are given stdout instead where they allow it.
func runBounded(t *testing.T, limit time.Duration, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	type result struct {
		code     int
		out, err string
	}
	done := make(chan result, 1)
	go func() {
		var o, e bytes.Buffer
		c := runCaptured(args, &o, &e)
		done <- result{c, o.String(), e.String()}
	}()
	select {
	case r := <-done:
		return r.code, r.out, r.err
	case <-time.After(limit):
		t.Fatalf("descent %s did not end within %v", strings.Join(args, " "), limit)
		return 0, "", ""
	}
}

// runCaptured is run with trace's, compare's and lab's output going to
// stdout rather than to os.Stdout.
func runCaptured(args []string, stdout, stderr *bytes.Buffer) int {
	var c *command
	switch args[0] {
	case "trace":
		c = &command{name: "trace", run: func(fs *flag.FlagSet, a []string) error { return runTrace(stdout, stderr, fs, a) }}
	case "compare":
		c = &command{name: "compare", run: func(fs *flag.FlagSet, a []string) error { return runCompare(stdout, fs, a) }}
	case "lab":
		c = &command{name: "lab", run: func(_ *flag.FlagSet, a []string) error { return runLab(stdout, a) }}
	default:
		return run(args, stdout, stderr)
	}
	return runCommand(c, args[1:], stdout, stderr)
}

// nonFiniteWeights writes copies of the PyTorch-trained 784-32-10 MLP of
// testdata with one NaN, and one +Inf, in its last tensor, and returns
// their paths and that tensor's name.
func nonFiniteWeights(t *testing.T) (nanPath, infPath, name string) {
	t.Helper()
	dir := t.TempDir()
	write := func(file string, v float32) string {
		sd, err := train.LoadWeights("testdata/pytorch_mlp_32.safetensors")
		if err != nil {
			t.Fatal(err)
		}
		last := sd[len(sd)-1]
		name = last.Name
		last.Tensor.Data()[3] = v
		var ts []safetensors.Tensor
		for _, nt := range sd {
			ts = append(ts, safetensors.Encode(nt.Name, nt.Tensor))
		}
		path := filepath.Join(dir, file)
		if err := safetensors.WriteFile(path, ts, nil); err != nil {
			t.Fatal(err)
		}
		return path
	}
	return write("nan.safetensors", float32(math.NaN())), write("inf.safetensors", float32(math.Inf(1))), name
}

// TestUnusualInputsExit2: sizes and counts that overflow, rates that are
// not numbers, settings PyTorch rejects and weights that are not finite
// are bad input: exit 2 with one line naming the problem, never a panic,
// a NaN printed as a result, or a flag silently ignored.
func TestUnusualInputsExit2(t *testing.T) {
	nanPath, infPath, tensorName := nonFiniteWeights(t)
	huge := "9223372036854775807"
	cases := []struct {
		args  []string
		wants []string
	}{
		// The product 2^64 wrapped to 0: NaN statistics, exit 0.
		{[]string{"init", "--scheme", "xavier_uniform", "--shape", "4294967296,4294967296"}, []string{"--shape", "4294967296,4294967296"}},
		{[]string{"init", "--scheme", "xavier_uniform", "--shape", huge + ",2"}, []string{"--shape", huge}},
		{[]string{"trace", "--func", "rosenbrock", "--opt", "sgd", "--steps", huge}, []string{"--steps", huge}},
		{[]string{"schedule", "--name", "cosine", "--steps", huge}, []string{"--steps", huge}},
		{[]string{"graph", "--batch", huge}, []string{"--batch", huge}},
		// NaN stood for "PyTorch's default rate" inside trace.
		{[]string{"trace", "--func", "rosenbrock", "--opt", "sgd", "--lr", "nan"}, []string{"--lr", "NaN"}},
		{[]string{"trace", "--func", "rosenbrock", "--opt", "sgd", "--lr", "inf"}, []string{"--lr", "Inf"}},
		{[]string{"trace", "--func", "rosenbrock", "--opt", "sgd,"}, []string{"--opt", "empty"}},
		// pct_start·total_steps = 1: a warm-up of zero steps, 0/0 (PyTorch:
		// ZeroDivisionError); the schedule printed NaN.
		{[]string{"schedule", "--name", "onecycle", "--steps", "1", "--set", "pct_start=1"}, []string{"pct_start"}},
		{[]string{"schedule", "--name", "onecycle", "--steps", "10", "--set", "pct_start=0.1"}, []string{"pct_start"}},
		// Weights that are not finite: "test loss: NaN", exit 0.
		{[]string{"eval", "--hidden", "32", "--limit", "100", "--weights", nanPath}, []string{nanPath, `"` + tensorName + `"`, "NaN"}},
		{[]string{"eval", "--hidden", "32", "--limit", "100", "--weights", infPath}, []string{infPath, `"` + tensorName + `"`, "Inf"}},
		// 1e6 is positive; the limit is 1000.
		{[]string{"lab", "symmetry", "--lr", "1e6"}, []string{"--lr", "1000"}},
		// lr-find sweeps one pass or --steps; --epochs was ignored.
		{[]string{"lr-find", "--epochs", "3"}, []string{"--epochs", "lr-find"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, _, msg := runBounded(t, time.Minute, c.args...)
			if code != 2 {
				t.Errorf("exit status %d, want 2; stderr: %s", code, msg)
			}
			if strings.Count(msg, "\n") != 1 || strings.Contains(msg, "goroutine ") {
				t.Errorf("stderr is not one line: %q", msg)
			}
			for _, want := range c.wants {
				if !strings.Contains(msg, want) {
					t.Errorf("stderr lacks %q: %s", want, msg)
				}
			}
		})
	}
}

// TestLogPlotsWithNothingPositiveEnd: a gain or variance of 0 everywhere
// has no place on a log axis; drawing it never ended.
func TestLogPlotsWithNothingPositiveEnd(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"lab", "chain", "--scale", "0", "--plot", filepath.Join(dir, "chain.png")},
		{"lab", "variance", "--init", "zeros", "--depth", "4", "--width", "8", "--batch", "8", "--plot", filepath.Join(dir, "variance.png")},
	} {
		code, _, msg := runBounded(t, 30*time.Second, args...)
		if code != 0 {
			t.Errorf("descent %s: exit %d: %s", strings.Join(args, " "), code, msg)
		}
		if _, err := os.Stat(args[len(args)-1]); err != nil {
			t.Errorf("descent %s: %v", strings.Join(args, " "), err)
		}
	}
}

// TestTraceTrimsOptimizerNames: "sgd, adam" races sgd and adam, labelled
// so, not an optimizer called " adam".
func TestTraceTrimsOptimizerNames(t *testing.T) {
	code, out, msg := runBounded(t, time.Minute, "trace", "--func", "rosenbrock", "--opt", "sgd, adam", "--steps", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, msg)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rows[1:] {
		names = append(names, r[0])
	}
	if strings.Join(names, ",") != "sgd,sgd,adam,adam" {
		t.Errorf("optimizer column %q, want sgd twice then adam twice", names)
	}
}

// TestInitOutIsReadable: init's weights file has mode 0644, as train's
// files do (it was 0600, the temporary file's mode).
func TestInitOutIsReadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.safetensors")
	if code, _, msg := runBounded(t, time.Minute, "init", "--scheme", "xavier_uniform", "--shape", "4,4", "--out", path); code != 0 {
		t.Fatalf("exit %d: %s", code, msg)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want -rw-r--r--", st.Mode().Perm())
	}
}

// TestCompareWithADivergingRun: sgd at lr 1e30 with the full batch
// diverges at the end of its first epoch (a NaN test loss) and stops in
// the second. compare used to exit 1 on "plotter: NaN data point" and
// write no compare.csv. It must write both files, keep non-finite values
// out of them, show "-" rather than a made-up accuracy for the diverged
// run, and exit 3 naming it.
func TestCompareWithADivergingRun(t *testing.T) {
	dir := t.TempDir()
	code, out, msg := runBounded(t, 2*time.Minute, "compare", "--opt", "sgd,adam", "--lr", "1e30,0.001", "--limit", "300",
		"--batch", "full", "--epochs", "2", "--hidden", "16", "--out", dir)
	if code != 3 || !strings.Contains(msg, "sgd") || !strings.Contains(msg, "diverged") || strings.Count(msg, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q; want 3 and one line naming sgd", code, msg)
	}
	var sgdLine string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "sgd ") {
			sgdLine = l
		}
	}
	if f := strings.Fields(sgdLine); len(f) < 4 || f[2] != "-" || f[3] != "-" || !strings.Contains(sgdLine, "diverged") {
		t.Errorf("table row %q: want - for accuracy and loss and a diverged note", sgdLine)
	}
	if strings.Contains(out, "NaN") || strings.Contains(out, "Inf") {
		t.Errorf("table shows a non-finite number:\n%s", out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "compare.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "name,"+strings.Join(train.MetricsHeader, ",") {
		t.Errorf("header %v", rows[0])
	}
	adam := 0
	for _, r := range rows[1:] {
		if r[0] == "adam" {
			adam++
		}
		for _, v := range r[1:] {
			if strings.Contains(v, "NaN") || strings.Contains(v, "Inf") {
				t.Errorf("compare.csv row %v holds a non-finite value", r)
			}
		}
	}
	if adam != 2 {
		t.Errorf("compare.csv has %d adam epochs, want 2:\n%s", adam, raw)
	}
	if _, err := os.Stat(filepath.Join(dir, "compare.png")); err != nil {
		t.Error(err)
	}
}

// TestBenchWithoutPyTorch: an interpreter without torch must not cost the
// descent numbers already measured: they are printed, then one line says
// why PyTorch's are missing (exit 1). Progress, redrawn with escape
// sequences, goes only to a terminal, not to a stderr that is a file.
func TestBenchWithoutPyTorch(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "python")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	progress, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer progress.Close()
	var out bytes.Buffer
	err = runBench(&out, progress, flag.NewFlagSet("bench", flag.ContinueOnError),
		[]string{"--only", "backward_chain_10_", "--repeats", "1", "--threads", "1", "--vs-pytorch", "--python", fake})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(ee.msg, "torch") || strings.Contains(ee.msg, "\n") {
		t.Errorf("error %v, want exit 1 with one line naming the PyTorch failure", err)
	}
	if !strings.Contains(out.String(), "backward_chain_10_us_per_op") {
		t.Errorf("descent's numbers are missing:\n%s", out.String())
	}
	written, err := os.ReadFile(progress.Name())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(written, []byte("\033")) {
		t.Errorf("terminal escapes written to a file: %q", written)
	}
}
