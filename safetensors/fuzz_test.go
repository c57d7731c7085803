package safetensors_test

import (
	"bytes"
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/descent-ml/descent/safetensors"
)

// FuzzSafetensors feeds arbitrary bytes to Read: it must never panic, must
// allocate no more than a small multiple of the input (declared sizes are
// checked against the file before anything is allocated), and whatever it
// accepts must survive Write and Read unchanged.
// Seeds live in testdata/fuzz/FuzzSafetensors. Run:
// go test -run=^$ -fuzz=FuzzSafetensors -fuzztime=10s ./safetensors/
func FuzzSafetensors(f *testing.F) {
	f.Add(file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)))
	f.Add(file(`{"__metadata__":{"k":"v"}}`, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		var got *safetensors.File
		var err error
		read := func() { got, err = safetensors.Read(bytes.NewReader(b), int64(len(b)), "fuzz") }
		if n, limit := allocated(read), uint64(64*len(b)+1<<20); n > limit {
			t.Fatalf("%d input bytes allocated %d bytes, over %d", len(b), n, limit)
		}
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := safetensors.Write(&buf, got.Tensors, got.Metadata); err != nil {
			t.Fatalf("cannot write back what Read accepted: %v", err)
		}
		again, err := safetensors.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "rewritten")
		if err != nil {
			t.Fatalf("cannot read back what Write wrote: %v", err)
		}
		for _, want := range got.Tensors {
			g, ok := again.Tensor(want.Name)
			if !ok || g.DType != want.DType || !slices.Equal(g.Shape, want.Shape) || !bytes.Equal(g.Data, want.Data) {
				t.Fatalf("tensor %q changed in the round trip", want.Name)
			}
		}
		if len(again.Tensors) != len(got.Tensors) || len(again.Metadata) != len(got.Metadata) {
			t.Fatalf("round trip: %d tensors and %d metadata keys, want %d and %d", len(again.Tensors), len(again.Metadata), len(got.Tensors), len(got.Metadata))
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
