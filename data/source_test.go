package data_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
)

// TestOpenSource reads a CSV through OpenSource: the layouts are told
// apart, the held-out fraction and Limit are honoured, the preprocessing
// is written and read back, and a data error is an *InputError naming the
// file and line.
func TestOpenSource(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("a,c,y\n")
	for i := range 50 {
		b.WriteString(strings.Repeat("1", 1+i%3) + ",t" + string(rune('a'+i%2)) + "," + string(rune('x'+i%2)) + "\n")
	}
	path := filepath.Join(dir, "t.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, want string
	}{{path, "csv"}, {dir, "imagefolder"}} {
		if got, err := data.Layout(c.path); err != nil || got != c.want {
			t.Errorf("Layout(%s) = %q, %v; want %q", c.path, got, err, c.want)
		}
	}
	src, err := data.OpenSource(data.SourceOptions{Path: path, Split: 0.2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if src.Layout != "csv" || src.Train.Len() != 40 || src.Test.Len() != 10 || src.Train.Shape()[0] != 3 || src.Train.Classes() != 2 {
		t.Fatalf("layout %s, %d train and %d test rows of %v, %d classes; want csv, 40, 10, [3], 2",
			src.Layout, src.Train.Len(), src.Test.Len(), src.Train.Shape(), src.Train.Classes())
	}
	lim, err := data.OpenSource(data.SourceOptions{Path: path, TestPath: path, Limit: 7})
	if err != nil || lim.Train.Len() != 7 || lim.Test.Len() != 7 {
		t.Fatalf("Limit 7: %v, want 7 and 7 rows", err)
	}
	if err := src.WritePrep(dir, func(p string, f func(w io.Writer) error) error {
		w, err := os.Create(p)
		if err != nil {
			return err
		}
		defer w.Close()
		return f(w)
	}); err != nil {
		t.Fatal(err)
	}
	tp, ip, err := data.ReadRunPrep(dir)
	if err != nil || ip != nil || tp == nil || tp.Target != "y" || len(tp.Classes) != 2 {
		t.Fatalf("ReadRunPrep: %+v, %v, %v", tp, ip, err)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("a,y\n1,2\n3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = data.OpenSource(data.SourceOptions{Path: bad, Split: 0.5})
	var ie *data.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "bad.csv:3") {
		t.Fatalf("ragged row: %v, want an *InputError naming bad.csv:3", err)
	}
}
