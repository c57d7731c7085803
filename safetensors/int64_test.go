package safetensors_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/safetensors"
)

// TestInt64 writes a scalar and a vector of int64 (BatchNorm's
// num_batches_tracked is a 0-dim I64 tensor in PyTorch's files), reads them
// back, and decodes other integer types and refuses floats.
func TestInt64(t *testing.T) {
	in := []safetensors.Tensor{
		safetensors.EncodeInt64("bn.num_batches_tracked", nil, []int64{3}),
		safetensors.EncodeInt64("ids", []int{4}, []int64{-1, 0, 1 << 40, -(1 << 62)}),
	}
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, in, nil); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "mem")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		shape []int
		want  []int64
	}{{"bn.num_batches_tracked", []int{}, []int64{3}}, {"ids", []int{4}, []int64{-1, 0, 1 << 40, -(1 << 62)}}} {
		st, ok := f.Tensor(c.name)
		if !ok || st.DType != safetensors.I64 || !slices.Equal(st.Shape, c.shape) {
			t.Fatalf("%s: read %+v", c.name, st)
		}
		got, err := safetensors.DecodeInt64(st)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: decoded %v (%v), want %v", c.name, got, err, c.want)
		}
	}
	// A floating-point decode of an I64 tensor converts, as PyTorch's .to().
	st, _ := f.Tensor("bn.num_batches_tracked")
	if x, err := safetensors.Decode[float32](st); err != nil || x.Item() != 3 {
		t.Errorf("Decode[float32] of I64: %v %v", x, err)
	}
	i32 := safetensors.Tensor{Name: "i32", DType: safetensors.I32, Shape: []int{2}, Data: []byte{0xff, 0xff, 0xff, 0xff, 7, 0, 0, 0}}
	if got, err := safetensors.DecodeInt64(&i32); err != nil || !slices.Equal(got, []int64{-1, 7}) {
		t.Errorf("I32: %v %v", got, err)
	}
	f32 := safetensors.Tensor{Name: "w", DType: safetensors.F32, Shape: []int{1}, Data: make([]byte, 4)}
	if _, err := safetensors.DecodeInt64(&f32); err == nil || !strings.Contains(err.Error(), `"w"`) {
		t.Errorf("F32 as integers: error %v", err)
	}
	short := safetensors.Tensor{Name: "s", DType: safetensors.I64, Shape: []int{2}, Data: make([]byte, 8)}
	if _, err := safetensors.DecodeInt64(&short); err == nil {
		t.Error("short data accepted")
	}
}
