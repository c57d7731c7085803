package cliflag

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutput: without files the CSV goes to w; --out DIR fills in
// NAME.csv and NAME.png, and the files written are named on w.
func TestOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	csv := func(w io.Writer) error { _, err := io.WriteString(w, "a,b\n"); return err }
	plotted := ""
	plot := func(p string) error { plotted = p; return os.WriteFile(p, nil, 0o644) }
	for _, tc := range []struct {
		args                 []string
		wantOut, wantNotes   string
		wantCSVFile, wantPic string
	}{
		{nil, "a,b\n", "", "", ""},
		{[]string{"--out", dir}, "wrote " + dir + "/x.csv\nwrote " + dir + "/x.png\n", "", dir + "/x.csv", dir + "/x.png"},
		{[]string{"--plot", dir + "/p.svg"}, "a,b\n", "wrote " + dir + "/p.svg\n", "", dir + "/p.svg"},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		o := BindOutput(fs, "x", "draw")
		plotted = ""
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if err := o.Check(func(string) error { return nil }); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		var out, notes bytes.Buffer
		if err := o.Write(&out, &notes, csv, plot); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if out.String() != tc.wantOut || notes.String() != tc.wantNotes || plotted != tc.wantPic {
			t.Errorf("%v: out %q notes %q plot %q", tc.args, out.String(), notes.String(), plotted)
		}
		if tc.wantCSVFile != "" {
			if b, err := os.ReadFile(tc.wantCSVFile); err != nil || string(b) != "a,b\n" {
				t.Errorf("%v: %s: %q, %v", tc.args, tc.wantCSVFile, b, err)
			}
		}
	}
}

// TestOutputCheck: a --csv in a missing directory and --plot's own check
// fail before any work.
func TestOutputCheck(t *testing.T) {
	o := &Output{Name: "x", CSV: filepath.Join(t.TempDir(), "no", "x.csv")}
	if err := o.Check(nil); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing directory: %v", err)
	}
	bad := errors.New("bad plot")
	o = &Output{Name: "x", Plot: "p.bmp"}
	if err := o.Check(func(string) error { return bad }); err != bad {
		t.Errorf("plot check: %v", err)
	}
}
