package train_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/descent-ml/descent/train"
)

// TestRegenerateFuzzCorpus rewrites the committed seed corpora of the fuzz
// targets when DESCENT_WRITE_CORPUS=1; otherwise it checks that they exist.
func TestRegenerateFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz")
	if os.Getenv("DESCENT_WRITE_CORPUS") != "1" {
		for _, name := range []string{"FuzzCheckpoint", "FuzzMetricsCSV"} {
			entries, err := os.ReadDir(filepath.Join(dir, name))
			if err != nil || len(entries) == 0 {
				t.Fatalf("no committed seed corpus for %s (run with DESCENT_WRITE_CORPUS=1)", name)
			}
		}
		return
	}
	ck := validCheckpointT(t)
	var csv bytes.Buffer
	_ = train.WriteMetricsCSV(&csv, []train.EpochMetrics{{Epoch: 1, TrainLoss: 0.5, TestLoss: 0.4, TestAccuracy: 0.9, LR: 0.1, Seconds: 2}})
	write := func(target, name, value string) {
		d := filepath.Join(dir, target)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, name), []byte(value), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("FuzzCheckpoint", "valid", fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", ck))
	write("FuzzCheckpoint", "truncated", fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", ck[:len(ck)/2]))
	write("FuzzMetricsCSV", "valid", fmt.Sprintf("go test fuzz v1\nstring(%q)\n", csv.String()))
}
