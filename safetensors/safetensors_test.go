package safetensors_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/descent-ml/descent/safetensors"
	"github.com/descent-ml/descent/tensor"
)

type goldenFile struct {
	Order    []string
	Metadata map[string]string
	Tensors  map[string]struct {
		DType  string
		Shape  []int
		Values []any // numbers, or "inf"/"-inf" as strings
	}
}

func readGolden(t *testing.T) goldenFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func goldenValue(t *testing.T, v any) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case string:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	t.Fatalf("golden value %v", v)
	return 0
}

// TestGolden reads the file written by testdata/make_golden.py and compares
// every tensor with the values PyTorch reads from it.
func TestGolden(t *testing.T) {
	g := readGolden(t)
	f, err := safetensors.ReadFile(filepath.Join("testdata", "golden.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Names(), g.Order) {
		t.Errorf("names %v, want %v", f.Names(), g.Order)
	}
	if len(f.Metadata) != len(g.Metadata) || f.Metadata["source"] != g.Metadata["source"] || f.Metadata["format"] != "pt" {
		t.Errorf("metadata %v, want %v", f.Metadata, g.Metadata)
	}
	for name, want := range g.Tensors {
		st, ok := f.Tensor(name)
		if !ok {
			t.Fatalf("no tensor %q", name)
		}
		if string(st.DType) != want.DType || !slices.Equal(st.Shape, want.Shape) {
			t.Errorf("%s: %s %v, want %s %v", name, st.DType, st.Shape, want.DType, want.Shape)
		}
		got, err := safetensors.Decode[float64](st)
		if err != nil {
			t.Fatal(err)
		}
		got32, err := safetensors.Decode[float32](st)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range want.Values {
			w := goldenValue(t, v)
			if got.Data()[i] != w || math.Signbit(got.Data()[i]) != math.Signbit(w) {
				t.Errorf("%s[%d] = %v, PyTorch %v", name, i, got.Data()[i], w)
			}
			if got32.Data()[i] != float32(w) {
				t.Errorf("%s[%d] as float32 = %v, want %v", name, i, got32.Data()[i], float32(w))
			}
		}
	}
}

// TestGoldenBytes writes the golden file's tensors back, handed over in
// reverse order: the sorting, JSON and padding must reproduce it byte for
// byte.
func TestGoldenBytes(t *testing.T) {
	path := filepath.Join("testdata", "golden.safetensors")
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tensors := slices.Clone(f.Tensors)
	slices.Reverse(tensors)
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, tensors, f.Metadata); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("rewritten file differs:\n got %q\nwant %q", buf.Bytes()[:min(buf.Len(), 200)], want[:200])
	}
}

// TestReferenceBytes compares with byte strings from the reference
// implementation's own tests (safetensors/src/tensor.rs).
func TestReferenceBytes(t *testing.T) {
	le := func(fs ...float32) []byte {
		var b []byte
		for _, f := range fs {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
		}
		return b
	}
	cases := []struct {
		name     string
		tensors  []safetensors.Tensor
		metadata map[string]string
		want     []byte
	}{
		{"empty", nil, nil, []byte("\x08\x00\x00\x00\x00\x00\x00\x00{}      ")},
		{"metadata only", nil, map[string]string{"framework": "pt"},
			[]byte("\x28\x00\x00\x00\x00\x00\x00\x00{\"__metadata__\":{\"framework\":\"pt\"}}     ")},
		{"forced alignment", []safetensors.Tensor{{Name: "attn0", DType: safetensors.F32, Shape: []int{1, 1, 2, 3}, Data: le(0, 1, 2, 3, 4, 5)}}, nil,
			append([]byte("\x48\x00\x00\x00\x00\x00\x00\x00{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       "), le(0, 1, 2, 3, 4, 5)...)},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		if err := safetensors.Write(&buf, c.tensors, c.metadata); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, buf.Bytes(), c.want)
		}
		if _, err := safetensors.Read(bytes.NewReader(c.want), int64(len(c.want)), c.name); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	rng := tensor.NewRand(1)
	w, b, d := tensor.New[float32](5, 7), tensor.New[float32](5), tensor.New[float64](2, 3, 4)
	w.RandN(rng, 0, 1)
	b.RandN(rng, 0, 1)
	d.RandN(rng, 0, 1)
	in := []safetensors.Tensor{
		safetensors.Encode("layer.weight", w),
		safetensors.Encode("layer.bias", b),
		safetensors.Encode("double", d),
		safetensors.Encode("scalar", tensor.Scalar[float32](-0.5)),
		{Name: "näme \"quoted\"\n", DType: safetensors.U8, Shape: []int{2}, Data: []byte{1, 2}},
	}
	meta := map[string]string{"epoch": "3", "b": "<&>"}
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := safetensors.WriteFile(path, in, meta); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != len(in) || f.Metadata["epoch"] != "3" || f.Metadata["b"] != "<&>" {
		t.Fatalf("read %v with metadata %v", f.Names(), f.Metadata)
	}
	for _, want := range in {
		got, ok := f.Tensor(want.Name)
		if !ok || got.DType != want.DType || !slices.Equal(got.Shape, want.Shape) || !bytes.Equal(got.Data, want.Data) {
			t.Errorf("%q: read %+v, wrote %+v", want.Name, got, want)
		}
	}
	for _, c := range []struct {
		name string
		want *tensor.Tensor[float32]
	}{{"layer.weight", w}, {"layer.bias", b}} {
		st, _ := f.Tensor(c.name)
		got, err := safetensors.Decode[float32](st)
		if err != nil || !slices.Equal(got.Data(), c.want.Data()) || !slices.Equal(got.Shape(), c.want.Shape()) {
			t.Errorf("%s: decoded %v %v, %v", c.name, got.Shape(), err, c.want.Shape())
		}
	}
	st, _ := f.Tensor("double")
	got, err := safetensors.Decode[float64](st)
	if err != nil || !slices.Equal(got.Data(), d.Data()) {
		t.Errorf("double: bits differ after the round trip (%v)", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("WriteFile left %d files, want 1", len(entries))
	}
}

func TestDecodeInto(t *testing.T) {
	st := safetensors.Encode("0.weight", tensor.New[float32](3, 4))
	if err := safetensors.DecodeInto(tensor.New[float64](3, 4), &st); err != nil {
		t.Fatal(err)
	}
	err := safetensors.DecodeInto(tensor.New[float32](4, 3), &st)
	if err == nil || !strings.Contains(err.Error(), `"0.weight" has shape [3 4], want [4 3]`) {
		t.Errorf("shape mismatch: error %v", err)
	}
}

// TestHalf decodes all 65536 half-precision values and compares each with
// the definition: (-1)^s * 2^(e-15) * (1 + f/1024), or 2^-14 * f/1024 for
// subnormals.
func TestHalf(t *testing.T) {
	st := safetensors.Tensor{Name: "all", DType: safetensors.F16, Shape: []int{65536}}
	for h := range 65536 {
		st.Data = binary.LittleEndian.AppendUint16(st.Data, uint16(h))
	}
	got, err := safetensors.Decode[float64](&st)
	if err != nil {
		t.Fatal(err)
	}
	for h, v := range got.Data() {
		s, e, f := h>>15, (h>>10)&31, h&1023
		var want float64
		switch {
		case e == 31 && f == 0:
			want = math.Inf(1)
		case e == 31:
			want = math.NaN()
		case e == 0:
			want = math.Ldexp(float64(f), -24)
		default:
			want = math.Ldexp(float64(1024+f), e-25)
		}
		if s == 1 {
			want = -want
		}
		if !(v == want && math.Signbit(v) == math.Signbit(want)) && !(math.IsNaN(v) && math.IsNaN(want)) {
			t.Fatalf("half %#04x = %v, want %v", h, v, want)
		}
	}
}
