package data_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
)

func TestLoadTextSplitsTheLastTenth(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.txt")
	text := strings.Repeat("abcdefghij", 10)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, te, err := data.LoadText(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(tr) != text[:90] || string(te) != text[90:] {
		t.Errorf("split %d+%d bytes, want 90+10", len(tr), len(te))
	}
	for _, c := range []struct{ name, content, want string }{
		{"empty", "", "is empty"},
		{"short", "abc", "has 3 bytes"},
		{"missing", "", "no such file"},
	} {
		p := filepath.Join(t.TempDir(), c.name)
		if c.name != "missing" {
			if err := os.WriteFile(p, []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := data.LoadText(p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestByteBatchesChunks: rows are contiguous pieces of the stream, read
// side by side; targets are the next bytes; the last chunk is shorter.
func TestByteBatchesChunks(t *testing.T) {
	stream := []byte("0123456789abcdefghijXY") // 22 bytes: 2 rows of 11
	b, err := data.NewByteBatches(stream, 2)
	if err != nil {
		t.Fatal(err)
	}
	if b.Rows != 2 || b.RowLen != 11 || b.Positions() != 10 {
		t.Fatalf("rows %d, row length %d, positions %d", b.Rows, b.RowLen, b.Positions())
	}
	x, y := make([]float32, 2*4), make([]int, 2*4)
	var got []string
	for start := 0; start < b.Positions(); {
		n := b.Chunk(start, 4, x, y)
		var xs, ys []byte
		for i := 0; i < 2*n; i++ {
			xs, ys = append(xs, byte(x[i])), append(ys, byte(y[i]))
		}
		got = append(got, string(xs)+">"+string(ys))
		start += n
	}
	want := []string{"0123bcde>1234cdef", "4567fghi>5678ghij", "89jX>9aXY"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("chunks %q, want %q", got, want)
	}
	if _, err := data.NewByteBatches([]byte("a"), 4); err == nil {
		t.Error("a 1-byte stream was accepted")
	}
}
