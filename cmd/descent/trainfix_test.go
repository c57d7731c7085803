package main

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/safetensors"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// Regression tests for the defects of descent train listed in issue 16
// (items 1-4, 6 and 7).

// cli runs a descent command line in-process. The commands print to
// os.Stdout, so stdout is empty; runIn captures what they print.
func cli(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// wantOneLine checks a bad-input or divergence exit: the status, exactly
// one line on stderr holding every want, no stack trace.
func wantOneLine(t *testing.T, args []string, code int, wants ...string) {
	t.Helper()
	got, _, msg := cli(args...)
	if got != code {
		t.Errorf("%s: exit status %d, want %d; stderr: %s", strings.Join(args, " "), got, code, msg)
	}
	if strings.Count(msg, "\n") != 1 || strings.Contains(msg, "goroutine ") {
		t.Errorf("%s: stderr is not one line: %q", strings.Join(args, " "), msg)
	}
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: stderr lacks %q: %s", strings.Join(args, " "), w, msg)
		}
	}
}

// baseRun trains the tiny 784-16-10 MLP for one epoch and returns its
// directory.
func baseRun(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "base")
	if code, _, msg := cli(append([]string{"train"}, tinyRun(dir)...)...); code != 0 {
		t.Fatalf("base run: exit %d: %s", code, msg)
	}
	return dir
}

// TestLookaheadStartsFromLoadedWeights (item 1): with lr 0 the inner
// optimizer does not move, so Lookahead's synchronizations must leave the
// --init-from weights exactly as loaded; and a frozen layer keeps them
// whatever wraps the optimizer.
func TestLookaheadStartsFromLoadedWeights(t *testing.T) {
	base := baseRun(t)
	from := filepath.Join(base, "model.safetensors")
	want := weightsOf(t, from)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"--lookahead", []string{"--lr", "0", "--lookahead", "k=1,alpha=0.5"}},
		{"--opt lookahead", []string{"--opt", "lookahead", "--lr", "0", "--set", "k=1,alpha=0.5"}},
		{"frozen", []string{"--lr", "0.1", "--freeze", "0.", "--lookahead", "k=1,alpha=0.5"}},
	} {
		dir := filepath.Join(t.TempDir(), "run")
		args := append([]string{"train"}, tinyRun(dir, append([]string{"--init-from", from, "--schedule", "none"}, c.args...)...)...)
		if code, _, msg := cli(args...); code != 0 {
			t.Fatalf("%s: exit %d: %s", c.name, code, msg)
		}
		got := weightsOf(t, filepath.Join(dir, "model.safetensors"))
		for name, w := range want {
			moved := !equalBits(got[name], w)
			if c.name == "frozen" && name == "2.weight" {
				if !moved {
					t.Errorf("%s: 2.weight, not frozen, did not train", c.name)
				}
				continue
			}
			if moved && (c.name != "frozen" || strings.HasPrefix(name, "0.")) {
				t.Errorf("%s: %s moved away from the --init-from weights", c.name, name)
			}
		}
	}
}

// writeIDXDir writes a data set in MNIST's layout: n training and m test
// images of rows x cols, labels cycling through classes values.
func writeIDXDir(t *testing.T, rows, cols, classes, n, m int) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, dims []int, body func(i int) byte) {
		var b bytes.Buffer
		b.Write([]byte{0, 0, 8, byte(len(dims))})
		total := 1
		for _, d := range dims {
			binary.Write(&b, binary.BigEndian, uint32(d))
			total *= d
		}
		for i := range total {
			b.WriteByte(body(i))
		}
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pixel := func(i int) byte { return byte(i * 37 % 251) }
	label := func(i int) byte { return byte(i % classes) }
	write(data.TrainImagesFile, []int{n, rows, cols}, pixel)
	write(data.TrainLabelsFile, []int{n}, label)
	write(data.TestImagesFile, []int{m, rows, cols}, pixel)
	write(data.TestLabelsFile, []int{m}, label)
	return dir
}

// TestDataSizesFollowTheDataSet (item 2): 12x10 images with 13 classes
// train, evaluate, compare and lr-find with an MLP sized for them; the
// CNN, fixed at 28x28 and 10 classes, says so in one line.
func TestDataSizesFollowTheDataSet(t *testing.T) {
	odd := writeIDXDir(t, 12, 10, 13, 64, 20)
	dir := filepath.Join(t.TempDir(), "run")
	out := runIn(t, runTrain, "--data", odd, "--hidden", "8", "--epochs", "1", "--quiet", "--out", dir)
	if !strings.Contains(out, "mlp 120-8-13") {
		t.Fatalf("train on 12x10 images, 13 classes:\n%s", out)
	}
	for _, args := range [][]string{
		{"eval", "--data", odd, "--hidden", "8", "--weights", filepath.Join(dir, "model.safetensors")},
		{"compare", "--data", odd, "--hidden", "8", "--opt", "sgd,adam", "--epochs", "1", "--out", filepath.Join(t.TempDir(), "cmp")},
		{"lr-find", "--data", odd, "--hidden", "8", "--batch", "4", "--plot", filepath.Join(t.TempDir(), "lr.png")},
	} {
		if code, _, msg := cli(args...); code != 0 {
			t.Errorf("%s: exit %d: %s", strings.Join(args, " "), code, msg)
		}
	}
	wantOneLine(t, []string{"train", "--data", odd, "--model", "cnn", "--epochs", "1", "--out", filepath.Join(t.TempDir(), "cnn")}, 2, "cnn", "28x28", "12x10")
	many := writeIDXDir(t, 28, 28, 13, 64, 20)
	wantOneLine(t, []string{"train", "--data", many, "--model", "cnn", "--epochs", "1", "--out", filepath.Join(t.TempDir(), "cnn")}, 2, "cnn", "10 classes", "13")
	wantOneLine(t, []string{"eval", "--data", many, "--model", "cnn", "--weights", filepath.Join(dir, "model.safetensors")}, 2, "cnn", "13")
}

// TestFreezeEverythingIsBadInput (item 2): freezing every parameter, or an
// empty prefix that matches them all, leaves nothing to train.
func TestFreezeEverythingIsBadInput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	for _, c := range []struct{ freeze, want string }{
		{"0.,2.", "every parameter"},
		{"0.,", "empty prefix"},
		{",", "empty prefix"},
	} {
		wantOneLine(t, append([]string{"train"}, tinyRun(out, "--freeze", c.freeze)...), 2, "--freeze", c.want)
	}
}

// finishedRun trains a tiny run started from a copy of another run's
// weights and returns its directory and the copy's path.
func finishedRun(t *testing.T) (dir, from string) {
	t.Helper()
	base := baseRun(t)
	from = filepath.Join(t.TempDir(), "init.safetensors")
	if err := os.WriteFile(from, readFile(t, filepath.Join(base, "model.safetensors")), 0o644); err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(t.TempDir(), "run")
	if code, _, msg := cli(append([]string{"train"}, tinyRun(dir, "--init-from", from, "--batch", "32")...)...); code != 0 {
		t.Fatalf("run: exit %d: %s", code, msg)
	}
	return dir, from
}

// TestResumeFinishedRun (items 3 and 7): resuming a finished run needs no
// --init-from file and says the run is complete; a run.json whose batch
// or epochs were edited after the checkpoint is refused.
func TestResumeFinishedRun(t *testing.T) {
	dir, from := finishedRun(t)
	if err := os.Remove(from); err != nil {
		t.Fatal(err)
	}
	out := runIn(t, runTrain, "--resume", dir, "--quiet")
	if !strings.Contains(out, "complete") || strings.Contains(out, "resuming") || strings.Contains(out, "wrote") {
		t.Errorf("resume of a finished run says:\n%s", out)
	}
	raw := readFile(t, filepath.Join(dir, "run.json"))
	for _, c := range []struct{ from, to, want string }{
		{`"batch": "32"`, `"batch": "16"`, "batch"},
		{`"epochs": 1`, `"epochs": 2`, "epochs"},
	} {
		if !bytes.Contains(raw, []byte(c.from)) {
			t.Fatalf("run.json lacks %s:\n%s", c.from, raw)
		}
		if err := os.WriteFile(filepath.Join(dir, "run.json"), bytes.Replace(raw, []byte(c.from), []byte(c.to), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		wantOneLine(t, []string{"train", "--resume", dir}, 2, "run.json", c.want)
	}
}

// TestResumeUnfinishedWithoutInitFrom (item 3): a run stopped after its
// first checkpoint resumes after its --init-from file is gone, from the
// checkpoint alone, to the same weights as an uninterrupted run.
func TestResumeUnfinishedWithoutInitFrom(t *testing.T) {
	_, from := finishedRun(t)
	args := []string{"--limit", "64", "--hidden", "16", "--epochs", "2", "--batch", "16", "--quiet", "--init-from", from}
	ref := filepath.Join(t.TempDir(), "ref")
	if code, _, msg := cli(append([]string{"train", "--out", ref}, args...)...); code != 0 {
		t.Fatalf("reference: exit %d: %s", code, msg)
	}
	dir := filepath.Join(t.TempDir(), "run")
	stopTrainAfter = 3
	code, _, msg := cli(append([]string{"train", "--out", dir}, args...)...)
	stopTrainAfter = 0
	if code != exitInterrupted {
		t.Fatalf("stopped run: exit %d, want %d: %s", code, exitInterrupted, msg)
	}
	if err := os.Remove(from); err != nil {
		t.Fatal(err)
	}
	if code, _, msg := cli("train", "--resume", dir, "--quiet"); code != 0 {
		t.Fatalf("resume without the --init-from file: exit %d: %s", code, msg)
	}
	if !bytes.Equal(readFile(t, filepath.Join(dir, "model.safetensors")), readFile(t, filepath.Join(ref, "model.safetensors"))) {
		t.Error("the resumed run's weights differ from the uninterrupted run's")
	}
}

// nonFiniteIn returns the name of a file of dir that holds a non-finite
// number, or "".
func nonFiniteIn(t *testing.T, dir string) string {
	t.Helper()
	for _, name := range []string{"model.safetensors", train.CheckpointFile} {
		f, err := safetensors.ReadFile(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := range f.Tensors {
			x, err := safetensors.Decode[float32](&f.Tensors[i])
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range x.Data() {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return name + " " + f.Tensors[i].Name
				}
			}
		}
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "metrics.csv")); err == nil {
		s := strings.ToLower(string(raw))
		if strings.Contains(s, "nan") || strings.Contains(s, "inf") {
			return "metrics.csv"
		}
	}
	return ""
}

// TestNonFiniteValues (item 4).
func TestNonFiniteValues(t *testing.T) {
	// An update that overflows at the last step of an epoch: exit 3 with
	// the divergence message, and nothing non-finite on disk.
	dir := filepath.Join(t.TempDir(), "run")
	wantOneLine(t, []string{"train", "--limit", "500", "--batch", "full", "--lr", "0.001", "--schedule", "step",
		"--schedule-set", "step_size=1,gamma=1e35", "--set", "momentum=0", "--epochs", "3", "--quiet", "--out", dir}, 3, "diverged")
	if f := nonFiniteIn(t, dir); f != "" {
		t.Errorf("non-finite values written to %s", f)
	}
	// An empty test set.
	empty := writeIDXDir(t, 28, 28, 10, 64, 0)
	wantOneLine(t, []string{"train", "--data", empty, "--hidden", "8", "--epochs", "1", "--out", filepath.Join(t.TempDir(), "e")}, 2, "test set", "empty")
	// --init-from weights holding NaN or Inf are bad input.
	for _, v := range []float32{float32(math.NaN()), float32(math.Inf(1))} {
		w := tensor.New[float32](16, 784)
		w.Data()[5] = v
		file := filepath.Join(t.TempDir(), "bad.safetensors")
		if err := safetensors.WriteFile(file, []safetensors.Tensor{safetensors.Encode("0.weight", w)}, nil); err != nil {
			t.Fatal(err)
		}
		wantOneLine(t, append([]string{"train"}, tinyRun(filepath.Join(t.TempDir(), "r"), "--init-from", file)...), 2, "--init-from", `"0.weight"`)
	}
	// An infinite clipping norm is refused up front; a plateau threshold
	// of 1 (the best loss stays +Inf) is stored and resumes.
	wantOneLine(t, append([]string{"train"}, tinyRun(filepath.Join(t.TempDir(), "c"), "--clip-grad-norm", "inf")...), 2, "--clip-grad-norm")
	pl := filepath.Join(t.TempDir(), "plateau")
	if code, _, msg := cli(append([]string{"train"}, tinyRun(pl, "--schedule", "plateau", "--schedule-set", "threshold=1,patience=0")...)...); code != 0 {
		t.Fatalf("plateau threshold=1: exit %d: %s", code, msg)
	}
	if code, _, msg := cli("train", "--resume", pl); code != 0 {
		t.Errorf("resume of the plateau run: exit %d: %s", code, msg)
	}
}

// TestMemoryEstimateRefusesHugeBatch (item 6): a full batch of 60,000
// through a 4096-wide layer needs several GB of activations; with 1 GiB
// available it is refused before anything is allocated, naming the
// estimate and a batch that fits.
func TestMemoryEstimateRefusesHugeBatch(t *testing.T) {
	availableMemory = func() (int64, bool) { return 1 << 30, true }
	defer func() { availableMemory = train.AvailableMemory }()
	wantOneLine(t, []string{"train", "--hidden", "4096", "--batch", "full", "--epochs", "1", "--out", filepath.Join(t.TempDir(), "m")},
		2, "GB", "--batch", "available")
	// A batch that fits trains.
	if code, _, msg := cli("train", "--hidden", "4096", "--batch", "64", "--limit", "64", "--epochs", "1", "--quiet", "--out", filepath.Join(t.TempDir(), "ok")); code != 0 {
		t.Errorf("batch 64: exit %d: %s", code, msg)
	}
}
