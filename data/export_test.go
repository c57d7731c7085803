package data

import (
	"bytes"
	"io"
	"io/fs"
)

// EmbeddedMNIST returns the bytes of one embedded MNIST file, for the test
// that checks them against mnist/SHA256SUMS.
func EmbeddedMNIST(name string) ([]byte, error) { return fs.ReadFile(mnistFiles, "mnist/"+name) }

// DecodeMNIST decodes the embedded files afresh, bypassing LoadMNIST's
// cache, for the benchmark of start-up time.
func DecodeMNIST() (train, test *Images, err error) {
	s, err := loadSplits(openEmbedded)
	return s[0], s[1], err
}

// ScanCSV splits text into records with ReadCSV's scanner, for the fuzz
// test that compares it with encoding/csv.
func ScanCSV(text []byte) ([][]string, error) {
	s := newCSVScanner(bytes.NewReader(text), int64(len(text)), "fuzz", ',')
	var out [][]string
	for {
		err := s.Scan()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		rec := make([]string, len(s.fields))
		for i, f := range s.fields {
			rec[i] = string(f)
		}
		out = append(out, rec)
	}
}
