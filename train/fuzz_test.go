package train_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/descent-ml/descent/train"
)

// FuzzCheckpoint feeds arbitrary bytes to the checkpoint reader: it must
// return an error or a checkpoint, never panic, and allocate no more than a
// small multiple of the input (declared sizes are checked against the file
// before anything is allocated; tensors of 1-byte dtypes become float32,
// four times their bytes, and JSON metadata decodes into larger structs).
// Seeds live in testdata/fuzz/FuzzCheckpoint. Run:
// go test -run=^$ -fuzz=FuzzCheckpoint -fuzztime=10s ./train/
func FuzzCheckpoint(f *testing.F) {
	f.Add(validCheckpoint(f))
	f.Add([]byte{})
	f.Add([]byte("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":1}        "))
	f.Fuzz(func(t *testing.T, b []byte) {
		var ck *train.Checkpoint
		var err error
		read := func() { ck, err = train.ReadCheckpoint(bytes.NewReader(b), int64(len(b)), "fuzz") }
		if n, limit := allocated(read), uint64(64*len(b)+1<<20); n > limit {
			t.Fatalf("%d input bytes allocated %d bytes, over %d", len(b), n, limit)
		}
		if err == nil && ck == nil {
			t.Fatal("nil checkpoint without an error")
		}
		if err != nil && !strings.Contains(err.Error(), "fuzz") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

// allocated returns the bytes f allocates: the smaller of two runs, so that
// what the fuzzing engine allocates meanwhile does not count.
func allocated(f func()) uint64 {
	n := uint64(math.MaxUint64)
	for range 2 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		n = min(n, after.TotalAlloc-before.TotalAlloc)
	}
	return n
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
