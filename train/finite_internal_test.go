package train

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// TestAllFinite compares the branch-free check with the obvious loop for
// every non-finite value at every position of short and long slices.
func TestAllFinite(t *testing.T) {
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	finite := []float32{0, -0.0, 1, -1, math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 1e-40}
	for n := 0; n <= 23; n++ {
		xs := make([]float32, n+1)[n%2:] // every other length starts mid-pair
		for i := range xs {
			xs[i] = finite[i%len(finite)]
		}
		if !allFinite(xs) {
			t.Fatalf("finite %v reported non-finite", xs)
		}
		for i := range xs {
			for _, s := range specials {
				old := xs[i]
				xs[i] = s
				if allFinite(xs) {
					t.Fatalf("%v at %d of %d not seen", s, i, n)
				}
				xs[i] = old
			}
		}
	}
}

// TestCheckpointRefusesNonFiniteWeights: a checkpoint asked for while a
// weight is infinite is refused with a DivergenceError naming the weight,
// and the good checkpoint on disk stays byte for byte.
func TestCheckpointRefusesNonFiniteWeights(t *testing.T) {
	tr0, _, err := data.LoadMNIST()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := data.First(tr0, 32)
	if err != nil {
		t.Fatal(err)
	}
	model, err := models.MLP[float32](tensor.NewRand(1), 784, []int{4}, 10, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tr, err := NewTrainer(model, opt, ds, ds, true, 1, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.checkpoint(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, CheckpointFile)
	good, _ := os.ReadFile(path)
	model.Parameters()[2].Value.Data()[3] = float32(math.Inf(1))
	var de *DivergenceError
	if err := tr.checkpoint(); !errors.As(err, &de) || de.What != "value" || de.Param != "2.weight" {
		t.Fatalf("got %v, want a DivergenceError naming the value of 2.weight", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, good) {
		t.Fatal("the good checkpoint was overwritten")
	}
}

// BenchmarkAllFinite checks the gradients of the default 784-512-256-10
// MLP (535,818 parameters), what every step of a run pays.
func BenchmarkAllFinite(b *testing.B) {
	xs := make([]float32, 535818)
	for i := range xs {
		xs[i] = float32(i) * 1e-6
	}
	b.SetBytes(int64(4 * len(xs)))
	for b.Loop() {
		if !allFinite(xs) {
			b.Fatal("finite slice reported non-finite")
		}
	}
}
