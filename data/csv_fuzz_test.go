package data_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/descent-ml/descent/data"
)

// FuzzCSV feeds arbitrary bytes to the CSV reader. It must never panic; a
// table it accepts must preprocess and fill every row; and where
// encoding/csv reads the same bytes as a well-formed file, the fast
// scanner must split it into the same records.
// Run: go test -run=^$ -fuzz=FuzzCSV -fuzztime=30s ./data/
func FuzzCSV(f *testing.F) {
	f.Add([]byte("a,b,y\n1,x,0\n2,z,1\n"))
	f.Add([]byte("1,2\n3,4\n"))
	f.Add([]byte("\"q,\"\"\",b\r\n\"multi\nline\",2\r\n"))
	f.Add([]byte("a,b\n1,NaN\n"))
	f.Add([]byte("x,y\n1,0.5\n2,1e3\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkAgainstStdlib(t, b)
		tb, err := data.ReadCSV(bytes.NewReader(b), int64(len(b)), "fuzz.csv", data.CSVOptions{MemoryLimit: 1 << 30})
		if err != nil {
			if bytes.ContainsRune([]byte(err.Error()), '\n') && !bytes.Contains(b, []byte{'\n'}) {
				t.Fatalf("error on several lines: %v", err)
			}
			return
		}
		ds, err := tb.Dataset(tb.Fit(nil), nil)
		if err != nil {
			t.Fatal(err)
		}
		n, feat := ds.Len(), ds.Shape()[0]
		x, labels, idx := make([]float32, n*feat), make([]int, n), make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		ds.Fill(x, labels, idx)
		for _, l := range labels {
			if l < 0 || tb.Task == "classification" && l >= ds.Classes() {
				t.Fatalf("label %d of %d classes", l, ds.Classes())
			}
		}
		if tb.Task == "regression" {
			ds.FillTargets(make([]float32, n), idx)
		}
	})
}

// checkAgainstStdlib compares the scanner's records with encoding/csv's
// where encoding/csv accepts the input.
func checkAgainstStdlib(t *testing.T, b []byte) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	var want [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return // malformed for encoding/csv: only the no-panic rule applies
		}
		want = append(want, rec)
	}
	if bytes.ContainsAny(b, "\r") || bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		return // encoding/csv keeps a bare \r in a field and the BOM; the scanner drops them
	}
	got, err := data.ScanCSV(b)
	if err != nil {
		t.Fatalf("encoding/csv reads %q as %q, the scanner fails: %v", b, want, err)
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("%q: scanner %q, encoding/csv %q", b, got, want)
	}
}
