package data_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
)

func TestLoadMNIST(t *testing.T) {
	train, test, err := data.LoadMNIST()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name           string
		set            *data.Images
		n, first, last int
	}{
		// First and last labels as printed by torchvision's MNIST.
		{"train", train, 60000, 5, 8},
		{"test", test, 10000, 7, 6},
	}
	for _, c := range cases {
		if c.set.Len() != c.n || c.set.Classes() != 10 || c.set.Label(0) != c.first || c.set.Label(c.n-1) != c.last {
			t.Errorf("%s: %d images, %d classes, labels %d...%d; want %d, 10, %d...%d",
				c.name, c.set.Len(), c.set.Classes(), c.set.Label(0), c.set.Label(c.n-1), c.n, c.first, c.last)
		}
		if s := c.set.Shape(); len(s) != 3 || s[0] != 1 || s[1] != 28 || s[2] != 28 {
			t.Errorf("%s: example shape %v, want [1 28 28]", c.name, s)
		}
	}
	// MNISTMean and MNISTStd are the statistics of the training pixels, so the
	// normalized training set has mean 0 and standard deviation 1.
	var sum, sq float64
	for i := range train.Len() {
		for _, v := range train.Image(i) {
			sum += float64(v)
			sq += float64(v) * float64(v)
		}
	}
	n := float64(train.Len() * 784)
	mean, std := sum/n, math.Sqrt(sq/n-(sum/n)*(sum/n))
	if math.Abs(mean) > 1e-3 || math.Abs(std-1) > 1e-3 {
		t.Errorf("normalized training pixels: mean %.5f, std %.5f; want 0, 1", mean, std)
	}
	again, _, _ := data.LoadMNIST()
	if again != train {
		t.Error("LoadMNIST decoded the files a second time")
	}
}

// TestEmbeddedMNISTSums checks the embedded copy against the sums that
// `go generate` checks GoMNIST's files against.
func TestEmbeddedMNISTSums(t *testing.T) {
	sums, err := os.ReadFile(filepath.Join("mnist", "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(sums)), "\n")
	if len(lines) != 4 {
		t.Fatalf("SHA256SUMS has %d lines, want 4", len(lines))
	}
	for _, line := range lines {
		want, name, _ := strings.Cut(line, "  ")
		b, err := data.EmbeddedMNIST(name)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("embedded %s: SHA-256 %s, want %s", name, got, want)
		}
	}
}

// TestNormalizePixel compares the 256 normalized pixel values with
// torchvision's ToTensor + Normalize (testdata/make_normalize_golden.py), bit for bit.
func TestNormalizePixel(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "normalize.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct{ Values []float64 }
	if err := json.Unmarshal(b, &golden); err != nil || len(golden.Values) != 256 {
		t.Fatalf("normalize.json: %v, %d values", err, len(golden.Values))
	}
	for i, want := range golden.Values {
		if got := data.NormalizePixel(byte(i)); got != float32(want) {
			t.Errorf("pixel %d: %v, PyTorch %v", i, got, float32(want))
		}
	}
}

// BenchmarkDecodeMNIST measures what a training run waits for before its
// first step: inflating and normalizing the embedded files.
func BenchmarkDecodeMNIST(b *testing.B) {
	for b.Loop() {
		if _, _, err := data.DecodeMNIST(); err != nil {
			b.Fatal(err)
		}
	}
}
