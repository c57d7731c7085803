package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/tensor"
)

// writeBlobsCSV writes n rows of three Gaussian blobs with text labels and
// a text feature, the label in the middle column.
func writeBlobsCSV(t *testing.T, path string, n int, seed uint64) {
	t.Helper()
	rng := tensor.NewRand(seed)
	var b strings.Builder
	b.WriteString("x1,species,color,x2\n")
	names := []string{"setosa", "versicolor", "virginica"}
	for range n {
		k := rng.IntN(3)
		fmt.Fprintf(&b, "%.3f,%s,%s,%.3f\n", []float64{0, 3, -3}[k]+rng.NormFloat64()*0.7, names[k],
			[]string{"red", "blue"}[rng.IntN(2)], []float64{3, 0, -2}[k]+rng.NormFloat64()*0.7)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeLinearCSV writes y = 3a − 2b ± 1.5 (by a text column) + N(0, 0.1²).
func writeLinearCSV(t *testing.T, path string, n int, seed uint64, withTarget bool) {
	t.Helper()
	rng := tensor.NewRand(seed)
	var b strings.Builder
	b.WriteString("a,b,kind")
	if withTarget {
		b.WriteString(",y")
	}
	b.WriteString("\n")
	for range n {
		a, c, k := rng.NormFloat64(), rng.NormFloat64(), rng.IntN(2)
		fmt.Fprintf(&b, "%.4f,%.4f,%s", a, c, []string{"p", "q"}[k])
		if withTarget {
			fmt.Fprintf(&b, ",%.4f", 3*a-2*c+[]float64{1.5, -1.5}[k]+0.1*rng.NormFloat64())
		}
		b.WriteString("\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeImageFolder writes root/dark and root/light, n grayscale PNGs of
// 10x12 each: noisy images around 60 and around 190.
func writeImageFolder(t *testing.T, root string, n int, seed uint64) {
	t.Helper()
	rng := tensor.NewRand(seed)
	for c, class := range []string{"dark", "light"} {
		if err := os.MkdirAll(filepath.Join(root, class), 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			img := image.NewGray(image.Rect(0, 0, 12, 10))
			for j := range img.Pix {
				img.Pix[j] = uint8(60 + 130*c + rng.IntN(40) - 20)
			}
			var buf bytes.Buffer
			if err := png.Encode(&buf, img); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, class, strconv.Itoa(i)+".png"), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

var metricLine = regexp.MustCompile(`\ntest (accuracy|rmse): (\d+\.\d{4})\n$`)

// finalValue returns the metric name and value of a train or eval output.
func finalValue(t *testing.T, out string) (string, float64) {
	t.Helper()
	m := metricLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output does not end with a test accuracy or rmse line:\n%s", out)
	}
	v, _ := strconv.ParseFloat(m[2], 64)
	return m[1], v
}

// readPredictions parses predict's CSV.
func readPredictions(t *testing.T, out string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("predict's output is not CSV: %v\n%s", err, out)
	}
	return rows
}

// TestTrainCSVClassification trains the MLP on a CSV whose target (named
// by --target) holds text labels, then predicts and evaluates the run on
// new rows: the labels come back as written, the probabilities sum to 1,
// and eval's accuracy on the test file is the run's own final accuracy
// (with BatchNorm: running statistics must survive model.safetensors).
func TestTrainCSVClassification(t *testing.T) {
	dir := t.TempDir()
	trainCSV, testCSV, run := filepath.Join(dir, "train.csv"), filepath.Join(dir, "test.csv"), filepath.Join(dir, "run")
	writeBlobsCSV(t, trainCSV, 300, 1)
	writeBlobsCSV(t, testCSV, 100, 2)
	out := runIn(t, runTrain, "--data", trainCSV, "--test-data", testCSV, "--target", "species", "--norm", "batch",
		"--hidden", "16", "--epochs", "3", "--batch", "32", "--quiet", "--out", run)
	name, acc := finalValue(t, out)
	if name != "accuracy" || acc < 0.9 {
		t.Fatalf("test %s %v, want accuracy >= 0.9:\n%s", name, acc, out)
	}
	if _, err := os.Stat(filepath.Join(run, data.TablePrepFile)); err != nil {
		t.Fatalf("the run did not save its preprocessing: %v", err)
	}
	evalOut := runIn(t, runEval, "--run", run, "--data", testCSV)
	if n, v := finalValue(t, evalOut); n != "accuracy" || v != acc {
		t.Fatalf("eval --run: test %s %v, want the run's final accuracy %v:\n%s", n, v, acc, evalOut)
	}
	rows := readPredictions(t, runIn(t, runPredict, "--run", run, "--data", testCSV))
	if want := []string{"id", "prediction", "p_setosa", "p_versicolor", "p_virginica"}; !slices.Equal(rows[0], want) {
		t.Fatalf("header %v, want %v", rows[0], want)
	}
	truth := readPredictions(t, string(readFile(t, testCSV)))
	correct := 0
	for i, r := range rows[1:] {
		if r[0] != strconv.Itoa(i) {
			t.Fatalf("row %d has id %q", i, r[0])
		}
		var sum float64
		for _, p := range r[2:] {
			v, _ := strconv.ParseFloat(p, 64)
			sum += v
		}
		if math.Abs(sum-1) > 1e-4 {
			t.Fatalf("row %d: probabilities %v sum to %v", i, r[2:], sum)
		}
		if r[1] == truth[i+1][1] {
			correct++
		}
	}
	if len(rows) != 101 || float64(correct)/100 != acc {
		t.Fatalf("%d predictions, %d correct: want 100 and the accuracy %v", len(rows)-1, correct, acc)
	}
}

// TestTrainCSVRegression: a numeric target with fractions is a regression,
// trained with MSE, ending with test rmse near the noise; predict takes
// rows without the target and eval reports the rmse.
func TestTrainCSVRegression(t *testing.T) {
	dir := t.TempDir()
	trainCSV, newCSV, run := filepath.Join(dir, "lin.csv"), filepath.Join(dir, "new.csv"), filepath.Join(dir, "run")
	writeLinearCSV(t, trainCSV, 800, 1, true)
	writeLinearCSV(t, newCSV, 5, 2, false)
	out := runIn(t, runTrain, "--data", trainCSV, "--test-split", "0.25", "--opt", "adam", "--lr", "0.01", "--schedule", "none",
		"--hidden", "32", "--epochs", "15", "--batch", "32", "--quiet", "--out", run)
	name, rmse := finalValue(t, out)
	if name != "rmse" || rmse > 0.5 {
		t.Fatalf("test %s %v, want rmse <= 0.5 (the target's std is about 3.9):\n%s", name, rmse, out)
	}
	if !strings.Contains(out, "test_rmse") {
		t.Fatalf("the epoch lines do not report test_rmse:\n%s", out)
	}
	rows := readPredictions(t, runIn(t, runPredict, "--run", run, "--data", newCSV))
	if len(rows) != 6 || !slices.Equal(rows[0], []string{"id", "prediction"}) {
		t.Fatalf("predictions %v: want a header id,prediction and 5 rows", rows)
	}
	for _, r := range rows[1:] {
		if _, err := strconv.ParseFloat(r[1], 64); err != nil {
			t.Fatalf("prediction %q is not a number", r[1])
		}
	}
	if n, v := finalValue(t, runIn(t, runEval, "--run", run, "--data", trainCSV)); n != "rmse" || v > 0.5 {
		t.Fatalf("eval --run: test %s %v, want rmse <= 0.5", n, v)
	}
}

// TestTrainImageFolder trains the MLP and, resized to 28x28, the CNN on a
// folder of class folders; predict names each file and its class.
func TestTrainImageFolder(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "imgs")
	writeImageFolder(t, root, 20, 1)
	for _, model := range []string{"mlp", "cnn"} {
		run := filepath.Join(dir, "run-"+model)
		args := []string{"--data", root, "--model", model, "--hidden", "8", "--epochs", "2", "--batch", "8", "--quiet", "--out", run}
		if model == "cnn" {
			args = append(args, "--image-size", "28", "--channels", "1")
		}
		out := runIn(t, runTrain, args...)
		if note := "note: --hidden 8 does not apply to --model cnn"; strings.Contains(out, note) != (model == "cnn") {
			t.Errorf("%s: the note %q (for the cnn only) printed: %v", model, note, strings.Contains(out, note))
		}
		if name, acc := finalValue(t, out); name != "accuracy" || acc < 0.9 {
			t.Fatalf("%s: test %s %v, want accuracy >= 0.9:\n%s", model, name, acc, out)
		}
		rows := readPredictions(t, runIn(t, runPredict, "--run", run, "--data", root))
		if !slices.Equal(rows[0], []string{"id", "prediction", "p_dark", "p_light"}) || len(rows) != 41 {
			t.Fatalf("%s: predictions header %v, %d rows", model, rows[0], len(rows)-1)
		}
		for _, r := range rows[1:] {
			if class, _, _ := strings.Cut(r[0], "/"); class != r[1] {
				t.Fatalf("%s: %s predicted %s", model, r[0], r[1])
			}
		}
		// A plain folder of the same images, no class folders: predictions
		// of the same rows, ids under it; eval refuses it in one line.
		flat := filepath.Join(dir, "flat-"+model)
		for _, r := range rows[1:] {
			b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(r[0])))
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Join(flat, strings.ReplaceAll(r[0], "/", "-"))
			os.MkdirAll(filepath.Dir(name), 0o755)
			if err := os.WriteFile(name, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		flatRows := readPredictions(t, runIn(t, runPredict, "--run", run, "--data", flat))
		byID := map[string][]string{}
		for _, r := range flatRows[1:] {
			byID[r[0]] = r[1:]
		}
		for _, r := range rows[1:] {
			if got := byID[strings.ReplaceAll(r[0], "/", "-")]; !slices.Equal(got, r[1:]) {
				t.Fatalf("%s: %s in a plain folder predicted %v, in its class folder %v", model, r[0], got, r[1:])
			}
		}
		if _, err := runCmd(t, runEval, "--run", run, "--data", flat); err == nil || !strings.Contains(err.Error(), "no class folder (dark, light)") {
			t.Errorf("%s: eval on a plain folder: %v", model, err)
		}
	}
}

// TestResumeCSVWithBatchNorm stops a CSV run with --norm batch after three
// steps and resumes it from run.json alone: model.safetensors (running
// statistics and num_batches_tracked included) must be the uninterrupted
// run's bytes.
func TestResumeCSVWithBatchNorm(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "blobs.csv")
	writeBlobsCSV(t, csvPath, 200, 1)
	args := []string{"--data", csvPath, "--target", "species", "--norm", "batch", "--hidden", "16", "--epochs", "2", "--batch", "16", "--quiet"}
	ref := filepath.Join(dir, "ref")
	if code, _, msg := runCapture(append([]string{"train", "--out", ref}, args...)...); code != 0 {
		t.Fatalf("reference: exit %d: %s", code, msg)
	}
	run := filepath.Join(dir, "run")
	stopTrainAfter = 3
	code, _, msg := runCapture(append([]string{"train", "--out", run}, args...)...)
	stopTrainAfter = 0
	if code != exitInterrupted {
		t.Fatalf("stopped run: exit %d, want %d: %s", code, exitInterrupted, msg)
	}
	if code, _, msg := runCapture("train", "--resume", run, "--quiet"); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, msg)
	}
	got, want := readFile(t, filepath.Join(run, "model.safetensors")), readFile(t, filepath.Join(ref, "model.safetensors"))
	if !bytes.Equal(got, want) || !bytes.Contains(got, []byte("num_batches_tracked")) {
		t.Error("the resumed run's model.safetensors differs from the uninterrupted run's, or lacks the BatchNorm buffers")
	}
}
