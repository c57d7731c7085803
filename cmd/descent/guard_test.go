package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/descent-ml/descent/safetensors"
	"github.com/descent-ml/descent/tensor"
)

// The guard: the descent binary driven over unusual but legitimate flag
// combinations and inputs, each of which once ended in a Go panic, a hang,
// an exit status with no meaning, or a NaN written to a file or printed as
// a result (issue 16). Whatever a case does, it must end within a time
// bound with one of the documented exit statuses, never a stack trace, and
// nothing it writes or prints may hold a non-finite number.

// guardLimit bounds every guarded run. The runs are tiny (--limit a few
// hundred images); a case that takes longer is a hang or an unbounded loop.
const guardLimit = 90 * time.Second

// nonFinite matches the ways Go and descent print NaN and infinities.
var nonFinite = regexp.MustCompile(`\bNaN\b|[+-]Inf\b|\bInf\b`)

// writeIDX writes an IDX file of unsigned bytes with the given dimensions.
func writeIDX(t *testing.T, path string, dims []int, data []byte) {
	t.Helper()
	b := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	if err := os.WriteFile(path, append(b, data...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// idxSet writes an MNIST-layout folder of n training and m test images of
// h x w pixels with labels i % classes.
func idxSet(t *testing.T, dir string, n, m, h, w, classes int) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	split := func(images, labels string, count int) {
		pix := make([]byte, count*h*w)
		for i := range pix {
			pix[i] = byte(i * 37 % 251)
		}
		lab := make([]byte, count)
		for i := range lab {
			lab[i] = byte(i % classes)
		}
		writeIDX(t, filepath.Join(dir, images), []int{count, h, w}, pix)
		writeIDX(t, filepath.Join(dir, labels), []int{count}, lab)
	}
	split("train-images-idx3-ubyte", "train-labels-idx1-ubyte", n)
	split("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", m)
	return dir
}

// weightsWith writes an MLP-784-16-10 weight file whose 0.weight holds v.
func weightsWith(t *testing.T, path string, v float32) string {
	t.Helper()
	w := tensor.New[float32](16, 784)
	w.Data()[3] = v
	if err := safetensors.WriteFile(path, []safetensors.Tensor{safetensors.Encode("0.weight", w)}, nil); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkFilesFinite reads every file under dir that descent writes with
// numbers in it and reports any non-finite value.
func checkFilesFinite(t *testing.T, dir string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		switch filepath.Ext(path) {
		case ".csv", ".json", ".txt":
			b, err := os.ReadFile(path)
			if err == nil && nonFinite.Match(b) {
				t.Errorf("%s holds a non-finite number:\n%s", path, firstMatchLine(b))
			}
		case ".safetensors":
			file, err := safetensors.ReadFile(path)
			if err != nil {
				return nil // a file descent refuses is not a finite-value question
			}
			for _, name := range file.Names() {
				x, _ := file.Tensor(name)
				v, err := safetensors.Decode[float64](x)
				if err != nil {
					continue // not a floating-point tensor
				}
				if i := slices.IndexFunc(v.Data(), func(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }); i >= 0 {
					t.Errorf("%s: tensor %q holds %v at %d", path, name, v.Data()[i], i)
				}
			}
		}
		return nil
	})
}

func firstMatchLine(b []byte) string {
	for _, line := range strings.Split(string(b), "\n") {
		if nonFinite.MatchString(line) {
			return line
		}
	}
	return ""
}

func TestGuardUnusualInputs(t *testing.T) {
	bin := descentBinary(t)
	fix, outs := t.TempDir(), t.TempDir() // inputs (some deliberately non-finite), and what descent writes
	f := func(name string) string { return filepath.Join(fix, name) }
	o := func(name string) string { return filepath.Join(outs, name) }
	small := idxSet(t, f("small10"), 256, 64, 10, 10, 12) // 10x10 images, labels 0..11
	noTest := idxSet(t, f("notest"), 256, 0, 28, 28, 10)  // an empty test set
	nanW := weightsWith(t, f("nan.safetensors"), float32(math.NaN()))
	infW := weightsWith(t, f("inf.safetensors"), float32(math.Inf(1)))
	out := func(name string) []string { return []string{"--out", o(name)} }
	tiny := []string{"--limit", "300", "--hidden", "16", "--epochs", "1", "--quiet"}
	tr := func(name string, args ...string) []string {
		return append(append(append([]string{"train"}, tiny...), out(name)...), args...)
	}
	const anyExit = -1
	cases := []struct {
		name string
		args []string
		want []int // accepted exit statuses
	}{
		{"diverges at epoch end", append([]string{"train", "--limit", "500", "--batch", "full", "--lr", "0.001",
			"--schedule", "step", "--schedule-set", "step_size=1,gamma=1e35", "--set", "momentum=0", "--epochs", "3",
			"--quiet"}, out("diverge")...), []int{3}},
		{"images not 28x28, labels past 9", tr("small", "--data", small), []int{0, 2}},
		{"empty test set", tr("notest", "--data", noTest), []int{0, 2}},
		{"freeze everything", tr("freeze-all", "--freeze", "0.,2."), []int{2}},
		{"freeze empty prefix", tr("freeze-empty", "--freeze", "0.,"), []int{2}},
		{"init-from NaN", tr("nan", "--init-from", nanW), []int{2}},
		{"init-from Inf", tr("inf", "--init-from", infW), []int{2}},
		{"clip-grad-norm inf", tr("clipinf", "--clip-grad-norm", "inf"), []int{0, 2}},
		{"plateau threshold 1", tr("plateau", "--schedule", "plateau", "--schedule-set", "threshold=1"), []int{0, 2}},
		{"huge hidden, full batch", tr("huge", "--hidden", "100000", "--batch", "full", "--limit", "0"), []int{2}},
		{"threads 16", tr("threads16", "--threads", "16"), []int{0}},
		{"lookahead over init-from", tr("lookahead", "--init-from", weightsWith(t, f("ok.safetensors"), 0.5),
			"--lookahead", "k=1,alpha=0.5", "--lr", "0", "--schedule", "none"), []int{0}},
		{"eval NaN weights", []string{"eval", "--weights", nanW, "--hidden", "16"}, []int{2}},
		{"eval 10x10 data", []string{"eval", "--weights", f("ok.safetensors"), "--hidden", "16", "--data", small}, []int{0, 2}},
		{"lr-find 10x10 data", []string{"lr-find", "--data", small, "--hidden", "16", "--limit", "256", "--steps", "20",
			"--plot", o("lr.png")}, []int{0, 1, 2}},
		{"lr-find --epochs", []string{"lr-find", "--epochs", "2", "--limit", "256", "--hidden", "16", "--steps", "20",
			"--plot", o("lr2.png")}, []int{0, 1, 2}},
		{"compare with a diverging run", []string{"compare", "--opt", "sgd,adam", "--lr", "0.05,1e6", "--limit", "300",
			"--hidden", "16", "--epochs", "2", "--out", o("compare")}, []int{0, 1, 3}},
		{"compare 10x10 data", []string{"compare", "--opt", "sgd,adam", "--data", small, "--limit", "256",
			"--hidden", "16", "--epochs", "1", "--out", o("compare10")}, []int{0, 2}},
		{"chain scale 0 log plot", []string{"lab", "chain", "--scale", "0", "--plot", o("chain.png")}, []int{0, 2}},
		{"variance zeros log plot", []string{"lab", "variance", "--init", "zeros", "--depth", "5", "--width", "32",
			"--batch", "32", "--plot", o("var.png")}, []int{0, 2}},
		{"symmetry huge lr", []string{"lab", "symmetry", "--lr", "1e6"}, []int{0, 2, 3}},
		{"init shape overflows int", []string{"init", "--scheme", "xavier_uniform", "--shape", "4294967296,4294967296"}, []int{2}},
		{"init shape max int64", []string{"init", "--scheme", "xavier_uniform", "--shape", "9223372036854775807,2"}, []int{2}},
		{"init out", []string{"init", "--scheme", "xavier_uniform", "--shape", "4,4", "--out", o("w.safetensors")}, []int{0}},
		{"trace huge steps", []string{"trace", "--func", "rosenbrock", "--opt", "sgd", "--steps", "9223372036854775807"}, []int{2}},
		{"trace lr NaN", []string{"trace", "--func", "rosenbrock", "--opt", "sgd", "--lr", "nan"}, []int{2}},
		{"trace opt list with space", []string{"trace", "--func", "rosenbrock", "--opt", "sgd, adam", "--steps", "10"}, []int{0, 2}},
		{"schedule huge steps", []string{"schedule", "--name", "cosine", "--steps", "9223372036854775807"}, []int{2}},
		// PyTorch 1.13's OneCycleLR with pct_start=1.0 runs (it rejects only
		// the Python int 1, a type check): the values must be finite.
		{"onecycle pct_start 1", []string{"schedule", "--name", "onecycle", "--steps", "100", "--set", "pct_start=1"}, []int{0, 2}},
		{"onecycle zero-length warm-up", []string{"schedule", "--name", "onecycle", "--steps", "10", "--set", "pct_start=0.1"}, []int{2}},
		{"graph huge batch", []string{"graph", "--batch", "9223372036854775807"}, []int{2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := startDescent(t, bin, nil, c.args...)
			code := p.wait(t, guardLimit)
			stdout, stderr := p.stdout.String(), p.stderr.String()
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic:") {
				t.Fatalf("%v: Go panic (exit %d):\n%s", c.args, code, stderr)
			}
			if !slices.Contains(c.want, code) && !slices.Contains(c.want, anyExit) {
				t.Errorf("%v: exit %d, want one of %v\nstdout:\n%s\nstderr:\n%s", c.args, code, c.want, stdout, stderr)
			}
			if code == 1 || code == 2 {
				if n := strings.Count(strings.TrimRight(stderr, "\n"), "\n"); n > 0 {
					t.Errorf("%v: exit %d with %d lines on stderr, want one:\n%s", c.args, code, n+1, stderr)
				}
			}
			if code == 3 && !strings.Contains(stderr+stdout, "diverged") {
				t.Errorf("%v: exit 3 without the divergence message:\n%s", c.args, stderr)
			}
			// A printed result must be finite; the divergence report and an
			// error naming a bad value may name NaN or Inf.
			if code == 0 {
				if m := nonFinite.FindString(stdout); m != "" {
					t.Errorf("%v: printed %q:\n%s", c.args, m, stdout)
				}
			}
		})
	}
	checkFilesFinite(t, outs)
	if st, err := os.Stat(o("w.safetensors")); err == nil && st.Mode().Perm() != 0o644 {
		t.Errorf("init --out wrote mode %v, want 0644 like train's files", st.Mode().Perm())
	}
}

// TestGuardNonFinitePattern keeps the guard's pattern honest: it must
// catch every way Go formats a non-finite float and nothing else.
func TestGuardNonFinitePattern(t *testing.T) {
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		for _, format := range []string{"%v", "%g", "%.4f", "loss %v, acc 0.1"} {
			if s := fmt.Sprintf(format, x); !nonFinite.MatchString(s) {
				t.Errorf("pattern misses %q", s)
			}
		}
	}
	for _, s := range []string{"Info", "Infinity", "nano", "0.98", "inference"} {
		if nonFinite.MatchString(s) {
			t.Errorf("pattern matches %q", s)
		}
	}
}
