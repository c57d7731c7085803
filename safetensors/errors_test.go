package safetensors_test

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/descent-ml/descent/safetensors"
)

// file assembles a safetensors file from a header and a data buffer.
func file(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestReadErrors(t *testing.T) {
	const a = `"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`
	cases := []struct {
		name string
		file []byte
		want []string // substrings of the error, besides the file name
	}{
		{"empty file", nil, []string{"0 bytes", "too short"}},
		{"header length past the end", file(`{}`, nil)[:9], []string{"offset 0", "header length 2 exceeds the 1 bytes"}},
		{"huge header length", binary.LittleEndian.AppendUint64(nil, 1<<62), []string{"header length 4611686018427387904"}},
		{"not utf-8", file("{\"\xff\":1}", nil), []string{"not valid UTF-8"}},
		{"not an object", file(`[1, 2]`, nil), []string{"not a JSON object"}},
		{"malformed json", file(`{"a":{"dtype":"F32",`, nil), []string{`tensor "a"`}},
		{"garbage after json", file(`{} x`, nil), []string{`unexpected "x"`}},
		{"duplicate name", file(`{`+a+`,`+a+`}`, make([]byte, 8)), []string{`key "a" appears twice`}},
		{"unknown dtype", file(`{"a":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)), []string{`tensor "a": field dtype: unknown dtype "F31"`, "BF16"}},
		{"dtype not a string", file(`{"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)), []string{`tensor "a": field dtype`}},
		{"missing shape", file(`{"a":{"dtype":"F32","data_offsets":[0,8]}}`, make([]byte, 8)), []string{`tensor "a": field shape: missing`}},
		{"negative dimension", file(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, make([]byte, 8)), []string{`tensor "a": field shape: element 0`}},
		{"fractional dimension", file(`{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}}`, make([]byte, 8)), []string{`field shape: element 0: 1.5`}},
		{"three offsets", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}}`, make([]byte, 8)), []string{`field data_offsets: want 2 integers`}},
		{"reversed offsets", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}`, make([]byte, 8)), []string{`data_offsets: [8, 0] is not a range`}},
		{"offsets past the buffer", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 4)), []string{`[0, 8] is not a range within the 4-byte data buffer`}},
		{"shape disagrees with offsets", file(`{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)), []string{`tensor "a"`, "shape [2] of F64 needs 16 bytes", "hold 8"}},
		{"lying shape", file(`{"a":{"dtype":"F32","shape":[100000,100000,100000],"data_offsets":[0,8]}}`, make([]byte, 8)), []string{`tensor "a": field shape: [100000 100000 100000] holds more elements`}},
		{"overflowing shape", file(`{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296,4294967296],"data_offsets":[0,8]}}`, make([]byte, 8)), []string{`tensor "a": field shape`}},
		{"overlap", file(`{`+a+`,"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), []string{`tensor "b"`, "overlaps tensor \"a\""}},
		{"gap", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), []string{`tensor "a"`, "leaves bytes [0, 4)"}},
		{"trailing bytes", file(`{`+a+`}`, make([]byte, 12)), []string{"4 unexplained bytes"}},
		{"metadata not strings", file(`{"__metadata__":{"epoch":3}}`, nil), []string{"__metadata__"}},
		{"tensor not an object", file(`{"a":[1]}`, nil), []string{`tensor "a": want an object`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := safetensors.Read(bytes.NewReader(c.file), int64(len(c.file)), "bad.safetensors")
			if err == nil {
				t.Fatalf("no error, want one mentioning %q", c.want)
			}
			for _, s := range append(c.want, "safetensors: bad.safetensors: ") {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	ok := safetensors.Tensor{Name: "a", DType: safetensors.F32, Shape: []int{1}, Data: make([]byte, 4)}
	cases := []struct {
		name    string
		tensors []safetensors.Tensor
		want    string
	}{
		{"duplicate", []safetensors.Tensor{ok, ok}, `two tensors are called "a"`},
		{"reserved", []safetensors.Tensor{{Name: "__metadata__", DType: safetensors.F32}}, "reserved"},
		{"unknown dtype", []safetensors.Tensor{{Name: "b", DType: "F12"}}, `tensor "b": unknown dtype "F12"`},
		{"short data", []safetensors.Tensor{{Name: "c", DType: safetensors.F64, Shape: []int{2}, Data: make([]byte, 8)}}, `tensor "c": 8 bytes of data, but shape [2] of F64 needs 16`},
		{"negative dim", []safetensors.Tensor{{Name: "d", DType: safetensors.F32, Shape: []int{-1}}}, `tensor "d": negative dimension`},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		err := safetensors.Write(&buf, c.tensors, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: wrote %d bytes before failing", c.name, buf.Len())
		}
	}
}

// TestReadShortReaderAt: a reader holding less than the size it was given
// (a file truncated while being read) is an error, not a short tensor.
func TestReadShortReaderAt(t *testing.T) {
	b := file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8))
	_, err := safetensors.Read(bytes.NewReader(b[:len(b)-3]), int64(len(b)), "cut.safetensors")
	if err == nil || !strings.Contains(err.Error(), "cut.safetensors") || !strings.Contains(err.Error(), "reading 8 bytes of tensor data") {
		t.Errorf("error %v, want a failed read of the tensor data", err)
	}
}
