package main

import (
	"bytes"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/safetensors"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// runIn runs one of the command functions in-process and returns what it
// printed.
func runIn(t *testing.T, f func(io.Writer, *flag.FlagSet, []string) error, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	fs := flag.NewFlagSet("descent", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := f(&out, fs, args); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

var lastLine = regexp.MustCompile(`\ntest accuracy: [01]\.\d{4}\n$`)

// tinyRun is a run small enough for -short: 64 images, a 784-16-10 MLP.
func tinyRun(dir string, args ...string) []string {
	return append([]string{"--limit", "64", "--hidden", "16", "--epochs", "1", "--quiet", "--out", dir}, args...)
}

// TestTrainBatchVariants: --batch full is one step per epoch (gradient
// descent) and --batch 1 one step per image (pure SGD); both train and end
// with the test accuracy line.
func TestTrainBatchVariants(t *testing.T) {
	for _, c := range []struct {
		batch string
		steps int
	}{{"full", 1}, {"1", 64}, {"16", 4}} {
		dir := filepath.Join(t.TempDir(), "run")
		out := runIn(t, runTrain, tinyRun(dir, "--batch", c.batch)...)
		if !lastLine.MatchString(out) {
			t.Errorf("--batch %s: output does not end with the accuracy line:\n%s", c.batch, out)
		}
		ck, err := train.LoadCheckpoint(filepath.Join(dir, train.CheckpointFile))
		if err != nil {
			t.Fatal(err)
		}
		if got := ck.Position().Step; got != c.steps {
			t.Errorf("--batch %s: %d steps in an epoch of 64 images, want %d", c.batch, got, c.steps)
		}
	}
}

// weightsOf reads a safetensors file of float32 weights by name.
func weightsOf(t *testing.T, path string) map[string][]float32 {
	t.Helper()
	sd, err := train.LoadWeights(path)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]float32{}
	for _, e := range sd {
		m[e.Name] = e.Tensor.Data()
	}
	return m
}

func equalBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// TestTrainInitFromPartialAndFreeze starts from a file holding only
// 0.weight (and a tensor the model lacks), freezing layer 0: the report
// lists what loaded and what kept its initialization, and after training
// 0.weight is still the file's while 2.weight has moved.
func TestTrainInitFromPartialAndFreeze(t *testing.T) {
	dir := t.TempDir()
	w := tensor.New[float32](16, 784)
	for i := range w.Data() {
		w.Data()[i] = float32(i%7-3) * 1e-3
	}
	file := filepath.Join(dir, "partial.safetensors")
	if err := safetensors.WriteFile(file, []safetensors.Tensor{safetensors.Encode("0.weight", w),
		safetensors.Encode("extra.weight", tensor.New[float32](2))}, nil); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	out := runIn(t, runTrain, tinyRun(run, "--init-from", file, "--freeze", "0.")...)
	for _, want := range []string{"loaded 0.weight; kept their initialization: 0.bias, 2.weight, 2.bias",
		"ignored tensors the model does not have: extra.weight"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	got := weightsOf(t, filepath.Join(run, "model.safetensors"))
	if !equalBits(got["0.weight"], w.Data()) {
		t.Error("frozen 0.weight moved away from the --init-from values")
	}
	init, err := train.BuildModel(train.Config{Model: "mlp", Hidden: "16", Act: "relu", Seed: 1}, []int{1, 28, 28}, 10)
	if err != nil {
		t.Fatal(err)
	}
	sd := nn.StateDict[float32](init)
	if !equalBits(got["0.bias"], sd[1].Tensor.Data()) {
		t.Error("frozen 0.bias moved away from its initialization")
	}
	if equalBits(got["2.weight"], sd[2].Tensor.Data()) {
		t.Error("2.weight, not frozen, did not train")
	}
}

// TestTrainPretrainAutoencoder runs greedy layer-wise pretraining of both
// hidden layers before the supervised epoch.
func TestTrainPretrainAutoencoder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	out := runIn(t, runTrain, "--limit", "128", "--hidden", "16,8", "--epochs", "1", "--quiet", "--out", dir,
		"--pretrain", "autoencoder", "--pretrain-epochs", "2")
	for _, want := range []string{"pretrain layer 0 (784 -> 16): reconstruction MSE", "pretrain layer 2 (16 -> 8)", "after 2 epoch(s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !lastLine.MatchString(out) {
		t.Errorf("output does not end with the accuracy line:\n%s", out)
	}
}

// TestCompareInitializers compares four initializers from the same data
// order: a table row, a CSV series and a picture for each.
func TestCompareInitializers(t *testing.T) {
	dir := t.TempDir()
	names := []string{"kaiming_normal", "xavier_uniform", "torch_default", "zeros"}
	out := runIn(t, runCompare, "--init", strings.Join(names, ","), "--limit", "128", "--hidden", "8", "--epochs", "1", "--out", dir)
	csv := string(readFile(t, filepath.Join(dir, "compare.csv")))
	for _, n := range names {
		if !regexp.MustCompile(`(?m)^` + n + `\s+0\.05\s+[01]\.\d{4}`).MatchString(out) {
			t.Errorf("table lacks a row for %s:\n%s", n, out)
		}
		if !strings.Contains(csv, "\n"+n+",1,") {
			t.Errorf("compare.csv lacks %s:\n%s", n, csv)
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "compare.png")); err != nil || st.Size() == 0 {
		t.Errorf("compare.png: %v", err)
	}
}

// TestLRFindSuggests runs the range test and checks that it suggests a
// base lr below the max lr and writes its picture and CSV.
func TestLRFindSuggests(t *testing.T) {
	dir := t.TempDir()
	out := runIn(t, runLRFind, "--limit", "512", "--hidden", "16", "--batch", "16",
		"--plot", filepath.Join(dir, "lr.png"), "--csv", filepath.Join(dir, "lr.csv"))
	m := regexp.MustCompile(`suggested base_lr: (\S+) .*\nsuggested max_lr:  (\S+) `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no suggestions:\n%s", out)
	}
	base, err1 := strconv.ParseFloat(m[1], 64)
	maxLR, err2 := strconv.ParseFloat(m[2], 64)
	if err1 != nil || err2 != nil || !(base > 0 && base < maxLR) {
		t.Fatalf("suggested base_lr %s and max_lr %s: want 0 < base < max", m[1], m[2])
	}
	if !strings.Contains(out, "try: descent train --opt sgd --lr ") {
		t.Errorf("no command to try:\n%s", out)
	}
	// The suggestion trains what was swept: the model's and data's flags go with it.
	if _, try, _ := strings.Cut(out, "try: "); !strings.Contains(try, " --hidden 16") || !strings.Contains(try, " --limit 512") || strings.Contains(try, "--plot") {
		t.Errorf("the command to try does not carry the swept model's flags:\n%s", out)
	}
	// Another optimizer needs no --set: SGD's momentum is not passed on.
	out = runIn(t, runLRFind, "--limit", "256", "--hidden", "8", "--batch", "16", "--opt", "adam", "--plot", filepath.Join(dir, "adam.png"))
	if !strings.Contains(out, "try: descent train --opt adam --lr ") {
		t.Errorf("lr-find --opt adam:\n%s", out)
	}
	lines := strings.Count(string(readFile(t, filepath.Join(dir, "lr.csv"))), "\n")
	if lines < 4 {
		t.Errorf("lr.csv has %d lines", lines)
	}
}
