package train_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/train"
)

// FuzzCheckpoint feeds arbitrary bytes to the checkpoint reader: it must
// return an error or a checkpoint, never panic.
func FuzzCheckpoint(f *testing.F) {
	f.Add(validCheckpoint(f))
	f.Add([]byte{})
	f.Add([]byte("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":1}        "))
	f.Fuzz(func(t *testing.T, b []byte) {
		ck, err := train.ReadCheckpoint(bytes.NewReader(b), int64(len(b)), "fuzz")
		if err == nil && ck == nil {
			t.Fatal("nil checkpoint without an error")
		}
	})
}

// validCheckpoint trains a step of a tiny run (784-2-10) and returns the bytes of
// its checkpoint.
func validCheckpoint(f *testing.F) []byte { return validCheckpointT(f) }

func validCheckpointT(f testing.TB) []byte {
	dir := f.TempDir()
	trainSet, testSet := mnistSubset(f, 64, 32)
	tr := newRunHidden(f, trainSet, testSet, dir, 1, 3, []int{2})
	tr.Options.StopAfterSteps = 1
	if err := tr.Run(context.Background()); err == nil {
		f.Fatal("expected an interruption")
	}
	b, err := os.ReadFile(filepath.Join(dir, train.CheckpointFile))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzMetricsCSV feeds arbitrary text to the metrics.csv reader.
func FuzzMetricsCSV(f *testing.F) {
	var buf bytes.Buffer
	_ = train.WriteMetricsCSV(&buf, []train.EpochMetrics{{Epoch: 1, TrainLoss: 0.5, TestLoss: 0.4, TestAccuracy: 0.9, LR: 0.1, Seconds: 2}})
	f.Add(buf.String())
	f.Add("epoch,train_loss\n1,2\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := train.ReadMetricsCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := train.WriteMetricsCSV(&out, rows); err != nil {
			t.Fatal(err)
		}
	})
}
