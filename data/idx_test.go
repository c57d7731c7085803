package data_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
)

// idxBytes builds an IDX file of unsigned bytes with the given dimensions
// and data (which need not match: tests build lying files with it).
func idxBytes(dims []int, payload []byte) []byte {
	b := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, payload...)
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func TestReadIDX(t *testing.T) {
	valid := idxBytes([]int{2, 3, 4}, seq(24))
	huge := idxBytes([]int{100000, 1000, 1000}, seq(1000)) // claims 100 GB in 1 KB
	cases := []struct {
		name    string
		file    []byte
		dims    []int
		wantErr []string // substrings of the error; nil for success
	}{
		{"raw", valid, []int{2, 3, 4}, nil},
		{"gzip", gzipped(valid), []int{2, 3, 4}, nil},
		{"labels", idxBytes([]int{5}, seq(5)), []int{5}, nil},
		{"empty", idxBytes([]int{0, 28, 28}, nil), []int{0, 28, 28}, nil},
		{"no bytes", nil, nil, []string{"f.idx", "offset 0", "truncated header"}},
		{"short magic", []byte{0, 0, 8}, nil, []string{"offset 0", "truncated header"}},
		{"bad magic", append([]byte{1, 2}, valid[2:]...), nil, []string{"offset 0", "bad magic"}},
		{"float32 type", append([]byte{0, 0, 0x0d}, valid[3:]...), nil, []string{"offset 2", "0x0d (float32)", "want 0x08"}},
		{"zero dims", []byte{0, 0, 8, 0}, nil, []string{"offset 3", "0 dimensions"}},
		{"seven dims", []byte{0, 0, 8, 7}, nil, []string{"offset 3", "7 dimensions"}},
		{"truncated dims", valid[:10], nil, []string{"offset 4", "truncated header"}},
		{"truncated data", valid[:len(valid)-1], nil, []string{"offset 16", "declare 24 bytes", "holds 23"}},
		{"trailing data", append(slices.Clone(valid), 9), nil, []string{"declare 24 bytes", "holds 25"}},
		{"lying raw", huge, nil, []string{"offset 16", "declare 100000000000 bytes", "holds 1000"}},
		{"lying gzip", gzipped(huge), nil, []string{"offset 16", "declare 100000000000 bytes", "gzip file can hold"}},
		{"truncated gzip data", gzipped(valid[:len(valid)-5]), nil, []string{"offset 35", "truncated data", "got 19"}},
		{"trailing gzip data", gzipped(append(slices.Clone(valid), 1, 2)), nil, []string{"offset 40", "unexpected bytes"}},
		{"cut gzip stream", gzipped(valid)[:20], nil, []string{"f.idx"}},
		{"bad gzip header", []byte{0x1f, 0x8b, 0, 0}, nil, []string{"not a valid gzip file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := data.ReadIDX(bytes.NewReader(c.file), int64(len(c.file)), "f.idx")
			if c.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got.Dims, c.dims) {
					t.Fatalf("dims %v, want %v", got.Dims, c.dims)
				}
				if want := c.file[4+4*len(c.dims):]; len(c.file) > 0 && c.file[0] == 0 && !bytes.Equal(got.Data, want) {
					t.Fatalf("data %v, want %v", got.Data, want)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one mentioning %q", c.wantErr)
			}
			for _, s := range append(c.wantErr, "data: f.idx: ") {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

// TestReadIDXUnknownSize reads with size -1: a lying header must still fail
// on the missing data, not allocate what it claims.
func TestReadIDXUnknownSize(t *testing.T) {
	huge := idxBytes([]int{100000, 1000, 1000}, seq(1000))
	n := allocated(func() {
		if _, err := data.ReadIDX(bytes.NewReader(huge), -1, "f.idx"); err == nil || !strings.Contains(err.Error(), "truncated data") {
			t.Errorf("error %v, want truncated data", err)
		}
	})
	if n > 4<<20 {
		t.Errorf("a 1 KB file claiming 100 GB allocated %d bytes", n)
	}
}

func TestReadIDXFileGzipDetectedByContent(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "labels-without-suffix")
	if err := os.WriteFile(p, gzipped(idxBytes([]int{3}, []byte{1, 2, 3})), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := data.ReadIDXFile(p)
	if err != nil || !bytes.Equal(got.Data, []byte{1, 2, 3}) {
		t.Fatalf("ReadIDXFile = %v, %v", got, err)
	}
	if _, err := data.ReadIDXFile(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing file: error %v", err)
	}
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

// writeSet writes an IDX data set in MNIST's layout; files maps a base name
// to its contents (nil: leave the file out).
func writeSet(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for base, b := range files {
		if b == nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, base), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadIDXDir(t *testing.T) {
	good := func() map[string][]byte {
		return map[string][]byte{
			"train-images-idx3-ubyte.gz": gzipped(idxBytes([]int{3, 2, 2}, seq(12))),
			"train-labels-idx1-ubyte":    idxBytes([]int{3}, []byte{0, 2, 1}),
			"t10k-images-idx3-ubyte":     idxBytes([]int{2, 2, 2}, seq(8)),
			"t10k-labels-idx1-ubyte.gz":  gzipped(idxBytes([]int{2}, []byte{2, 0})),
		}
	}
	cases := []struct {
		name    string
		edit    func(m map[string][]byte)
		wantErr []string
	}{
		{"valid", func(map[string][]byte) {}, nil},
		{"missing", func(m map[string][]byte) {
			m["train-labels-idx1-ubyte"] = nil
			m["t10k-images-idx3-ubyte"] = nil
		}, []string{"missing train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz]"}},
		{"counts disagree", func(m map[string][]byte) {
			m["train-labels-idx1-ubyte"] = idxBytes([]int{4}, []byte{0, 2, 1, 1})
		}, []string{"train-images-idx3-ubyte holds 3 images", "train-labels-idx1-ubyte holds 4 labels"}},
		{"label out of range", func(m map[string][]byte) {
			m["t10k-labels-idx1-ubyte.gz"] = gzipped(idxBytes([]int{2}, []byte{0, 3}))
		}, []string{"t10k-labels-idx1-ubyte", "offset 9", "label 3 of item 1", "[0, 3)"}},
		{"images not 3-d", func(m map[string][]byte) {
			m["t10k-images-idx3-ubyte"] = idxBytes([]int{2, 4}, seq(8))
		}, []string{"t10k-images-idx3-ubyte", "dimensions [2 4]", "want 3"}},
		{"labels not 1-d", func(m map[string][]byte) {
			m["train-labels-idx1-ubyte"] = idxBytes([]int{3, 1}, []byte{0, 1, 2})
		}, []string{"train-labels-idx1-ubyte", "dimensions [3 1]"}},
		{"sizes disagree", func(m map[string][]byte) {
			m["t10k-images-idx3-ubyte"] = idxBytes([]int{2, 1, 4}, seq(8))
		}, []string{"t10k-images-idx3-ubyte", "1x4", "2x2"}},
		{"corrupt file", func(m map[string][]byte) {
			m["t10k-images-idx3-ubyte"] = []byte("not idx")
		}, []string{"t10k-images-idx3-ubyte", "bad magic"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := good()
			c.edit(m)
			dir := writeSet(t, m)
			train, test, err := data.LoadIDXDir(dir)
			if c.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if train.Len() != 3 || test.Len() != 2 || train.Classes() != 3 || !slices.Equal(train.Shape(), []int{1, 2, 2}) {
					t.Fatalf("train %d images %v, test %d, classes %d", train.Len(), train.Shape(), test.Len(), train.Classes())
				}
				if train.Label(1) != 2 || test.Label(0) != 2 || train.Image(2)[3] != data.NormalizePixel(seq(12)[11]) {
					t.Fatalf("wrong contents: labels %d %d, pixel %v", train.Label(1), test.Label(0), train.Image(2)[3])
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one mentioning %q", c.wantErr)
			}
			for _, s := range c.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}
