package data_test

import (
	"bytes"
	"testing"

	"github.com/descent-ml/descent/data"
)

// FuzzIDX feeds arbitrary bytes to the IDX reader: it must never panic,
// must return data that fills the declared dimensions exactly, and must not
// allocate more than the input can justify (a gzip stream expands at most
// 1032 times; the reader's buffers add a few MiB).
// Seeds live in testdata/fuzz/FuzzIDX. Run: go test -run=^$ -fuzz=FuzzIDX -fuzztime=10s ./data/
func FuzzIDX(f *testing.F) {
	f.Add(idxBytes([]int{2, 2, 2}, seq(8)))
	f.Add(gzipped(idxBytes([]int{3}, []byte{1, 2, 3})))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, size := range []int64{int64(len(b)), -1} {
			var got *data.IDX
			var err error
			n := allocated(func() { got, err = data.ReadIDX(bytes.NewReader(b), size, "fuzz") })
			if limit := uint64(3*1032*len(b) + 4<<20); n > limit {
				t.Fatalf("size %d: %d input bytes allocated %d bytes, over %d", size, len(b), n, limit)
			}
			if err != nil {
				continue
			}
			want := 1
			for _, d := range got.Dims {
				want *= d
			}
			if len(got.Data) != want {
				t.Fatalf("dims %v but %d bytes", got.Dims, len(got.Data))
			}
		}
	})
}
