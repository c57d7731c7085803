package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/internal/kv"
	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/tensor"
)

func runInitArgs(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	fs := flag.NewFlagSet("descent init", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	err := runInit(&out, fs, args)
	return out.String(), err
}

// TestInitWritesSafetensors reads the file back by the format's rules and
// checks it holds exactly the tensor the seed draws.
func TestInitWritesSafetensors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.safetensors")
	out, err := runInitArgs(t, "--scheme", "xavier_uniform", "--shape", "16,8,3,3", "--seed", "7", "--out", path, "--plot", filepath.Join(dir, "h.png"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "xavier_uniform(gain=1)") || !strings.Contains(out, "fan_in 72, fan_out 144") {
		t.Errorf("output lacks the scheme or fans:\n%s", out)
	}
	// Read it back as raw bytes, by the format's rules, independently of
	// the writer.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(b)
	var header map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &header); err != nil {
		t.Fatalf("header %q: %v", b[8:8+n], err)
	}
	var w struct {
		Dtype       string
		Shape       []int
		DataOffsets []int `json:"data_offsets"`
	}
	var meta map[string]string
	json.Unmarshal(header["weight"], &w)
	json.Unmarshal(header["__metadata__"], &meta)
	if len(header) != 2 || w.Dtype != "F32" || shapeString(w.Shape) != "[16,8,3,3]" || w.DataOffsets[1] != 4*16*8*9 || uint64(len(b)) != 8+n+4*16*8*9 {
		t.Fatalf("header %s, file of %d bytes", b[8:8+n], len(b))
	}
	if meta["scheme"] != "xavier_uniform(gain=1)" || meta["seed"] != "7" {
		t.Errorf("metadata %v", meta)
	}
	want := tensor.New[float32](16, 8, 3, 3)
	_ = initializer.Apply(initializer.XavierUniform{Gain: 1}, want, tensor.NewRand(7))
	for i, v := range want.Data() {
		if got := math.Float32frombits(binary.LittleEndian.Uint32(b[8+int(n)+4*i:])); got != v {
			t.Fatalf("element %d = %v, the seed draws %v", i, got, v)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "h.png")); err != nil || fi.Size() < 1000 {
		t.Errorf("plot: %v", err)
	}
}

// TestInitStatsNearTheory: the printed measured std is within 2% of the
// theoretical one for a large draw.
func TestInitStatsNearTheory(t *testing.T) {
	for _, scheme := range []string{"kaiming_uniform", "lecun_normal", "orthogonal", "torch_default"} {
		out, err := runInitArgs(t, "--scheme", scheme, "--shape", "128,256")
		if err != nil {
			t.Fatal(err)
		}
		var measured, theory float64
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) >= 3 && f[0] == "std" {
				measured, theory = parseF(t, f[1]), parseF(t, f[2])
			}
		}
		if theory == 0 || math.Abs(measured/theory-1) > 0.02 {
			t.Errorf("%s: measured std %v, theory %v\n%s", scheme, measured, theory, out)
		}
	}
}

func parseF(t *testing.T, s string) float64 {
	v, err := kv.Floats(s)
	if err != nil {
		t.Fatal(err)
	}
	return v[0]
}

// TestInitUsageErrors: every bad flag is a one-line usage error, exit 2.
func TestInitUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{}, "--scheme is required"},
		{[]string{"--scheme", "nope", "--shape", "3,3"}, "valid: zeros"},
		{[]string{"--scheme", "eye"}, "--shape: required"},
		{[]string{"--scheme", "eye", "--shape", "3,x"}, "malformed integer"},
		{[]string{"--scheme", "eye", "--shape", "3,0"}, "positive"},
		{[]string{"--scheme", "eye", "--shape", "3,3,3"}, "2-D"},
		{[]string{"--scheme", "kaiming_normal", "--shape", "10"}, "at least 2 dimensions"},
		{[]string{"--scheme", "normal", "--shape", "3", "--set", "gain=2"}, "valid keys: mean (default 0), std (default 1)"},
		{[]string{"--scheme", "normal", "--shape", "3", "--plot", "x.bmp"}, "image format"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"init"}, c.args...), &stdout, &stderr)
		msg := stderr.String()
		if code != 2 || !strings.Contains(msg, c.want) || strings.Count(msg, "\n") != 1 {
			t.Errorf("descent init %v: exit %d, stderr %q; want exit 2 and one line containing %q", c.args, code, msg, c.want)
		}
	}
}

// shapeString writes a shape as [A,B,...].
func shapeString(shape []int) string {
	return strings.ReplaceAll(fmt.Sprint(shape), " ", ",")
}
