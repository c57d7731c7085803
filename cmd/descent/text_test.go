package main

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/descent-ml/descent/train"
)

// TestTrainTextAndSample: descent train --text trains a small byte-level
// LSTM on a file, prints a sample after each epoch and ends with the bits
// per byte line; descent sample reads the sizes from the weights it wrote
// and generates --length bytes after --prime, the same for the same seed.
func TestTrainTextAndSample(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "code.txt")
	if err := os.WriteFile(text, []byte(strings.Repeat("if err != nil {\n\treturn err\n}\n", 60)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runIn(t, runTrain, "--text", text, "--hidden", "16", "--layers", "1", "--epochs", "2", "--bptt", "16", "--batch", "8",
		"--lr", "0.01", "--out", filepath.Join(dir, "run"))
	if n := strings.Count(out, "--- sample after epoch"); n != 2 {
		t.Errorf("%d samples printed in 2 epochs:\n%s", n, out)
	}
	m := regexp.MustCompile(`\ntest bits per byte: (\d+\.\d{4})\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output does not end with the bits per byte line:\n%s", out)
	}
	if m[1] >= "8" {
		t.Errorf("test bits per byte %s after 2 epochs on a repeating text; uniform guessing gives 8", m[1])
	}
	// metrics.csv as a classifier's run writes it: the losses in nats per
	// byte (the printed bits × ln 2), the next byte's accuracy; curves.png.
	f, err := os.Open(filepath.Join(dir, "run", "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := train.ReadMetricsCSV(f)
	f.Close()
	if err != nil || len(rows) != 2 {
		t.Fatalf("metrics.csv: %d rows, %v", len(rows), err)
	}
	bits, _ := strconv.ParseFloat(m[1], 64)
	if last := rows[1]; math.Abs(last.TestLoss/math.Ln2-bits) > 1e-4 || !(last.TestAccuracy > 0 && last.TestAccuracy <= 1) || last.Epoch != 2 {
		t.Errorf("metrics.csv's last row %+v: want test_loss %v nats (%s bits) and an accuracy in (0, 1]", last, bits*math.Ln2, m[1])
	}
	if st, err := os.Stat(filepath.Join(dir, "run", "curves.png")); err != nil || st.Size() == 0 {
		t.Errorf("curves.png: %v", err)
	}
	weights := filepath.Join(dir, "run", "model.safetensors")
	sample := func(seed string) string {
		return runIn(t, runSample, "--weights", weights, "--length", "40", "--prime", "if ", "--seed", seed)
	}
	a, b := sample("3"), sample("3")
	if len(a) != len("if ")+40 || !strings.HasPrefix(a, "if ") {
		t.Errorf("sample %q: want the prime and 40 bytes", a)
	}
	if a != b {
		t.Errorf("same seed, different samples: %q and %q", a, b)
	}
}

// TestTrainEvalRecurrent: descent train --model gru with the recurrent
// defaults (hidden 128) trains, and descent eval --model gru reads the
// sizes from the weights it wrote and gives the run's test accuracy.
func TestTrainEvalRecurrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	out := runIn(t, runTrain, "--model", "gru", "--limit", "64", "--epochs", "1", "--quiet", "--out", dir)
	if !strings.Contains(out, "gru hidden 128, 1 layer(s), adam lr 0.005 (onecycle)") {
		t.Errorf("the recurrent defaults are not in the first line:\n%s", out)
	}
	acc := lastLine.FindString(out)
	if acc == "" {
		t.Fatalf("no accuracy line:\n%s", out)
	}
	ev := runIn(t, runEval, "--model", "gru", "--weights", filepath.Join(dir, "model.safetensors"), "--limit", "64")
	if !strings.HasSuffix(ev, strings.TrimPrefix(acc, "\n")) {
		t.Errorf("eval gives %q, the run ended with %q", ev, acc)
	}
}

// TestTextSampleCommandCarriesAct: the weights do not record an rnn's
// nonlinearity, so the suggested sample command of a relu rnn says it.
func TestTextSampleCommandCarriesAct(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "t.txt")
	if err := os.WriteFile(text, []byte(strings.Repeat("abc ", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	for act, want := range map[string]bool{"relu": true, "tanh": false} {
		out := runIn(t, runTrain, "--text", text, "--model", "rnn", "--act", act, "--hidden", "8", "--layers", "1", "--epochs", "1",
			"--bptt", "8", "--batch", "4", "--quiet", "--out", filepath.Join(dir, act))
		if got := strings.Contains(out, "model.safetensors --act relu\n"); got != want {
			t.Errorf("--act %s: the sample command carries --act relu: %v, want %v:\n%s", act, got, want, out)
		}
	}
}
