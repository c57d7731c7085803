package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/descent-ml/descent/tensor"
)

// InputError is an error in data a user gave (a CSV file, an image
// folder): a ragged row, a non-number, an image that does not decode. Its
// message names the file and, for a table, the line. The command line
// exits with status 2 on one.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(err error) error {
	if err == nil {
		return nil
	}
	var ie *InputError
	if errors.As(err, &ie) {
		return err
	}
	return &InputError{err}
}

// Layout names the form of the data at path: "csv" for a file, "idx" for a
// directory holding MNIST's IDX files (TrainImagesFile, raw or .gz),
// "imagefolder" for a directory of class folders (torchvision's
// ImageFolder).
func Layout(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", &InputError{fmt.Errorf("data: %w", err)}
	}
	if !st.IsDir() {
		return "csv", nil
	}
	for _, name := range []string{TrainImagesFile, TrainImagesFile + ".gz"} {
		if _, err := os.Stat(filepath.Join(path, name)); err == nil {
			return "idx", nil
		}
	}
	return "imagefolder", nil
}

// SourceOptions say where a run's own data is and how to read it.
type SourceOptions struct {
	Path     string  // a CSV file or an image folder
	TestPath string  // the test data in the same form; "" holds out TestSplit of Path
	Split    float64 // the fraction of Path's examples held out for testing when TestPath is ""
	Seed     uint64  // draws the held-out examples
	Limit    int     // when positive, at most this many training and test examples (the first)
	CSV      CSVOptions
	Images   ImageFolderOptions
}

// Source is a run's own data, read and preprocessed with statistics of
// its training examples: a table (Table set) or an image folder (Images
// set).
type Source struct {
	Layout      string // "csv" or "imagefolder"
	Train, Test Dataset
	Table       *TablePrep // the CSV's preprocessing
	Images      *ImagePrep // the image folder's preprocessing
}

// Prep files in a run directory: what turns new data into the model's
// inputs as the training data were.
const (
	TablePrepFile = "table_prep.json"
	ImagePrepFile = "image_prep.json"
)

// OpenSource reads a CSV file or an image folder (Layout) and its test
// data, fits the preprocessing on the training examples, and returns both
// sets. Every problem with the data is an *InputError naming the file.
func OpenSource(o SourceOptions) (*Source, error) {
	layout, err := Layout(o.Path)
	if err != nil {
		return nil, err
	}
	if o.TestPath == "" && !(o.Split > 0 && o.Split < 1) {
		return nil, &InputError{fmt.Errorf("data: %s: test split %v: want a fraction between 0 and 1", o.Path, o.Split)}
	}
	var s *Source
	switch layout {
	case "csv":
		s, err = openTable(o)
	case "imagefolder":
		s, err = openImages(o)
	default:
		return nil, &InputError{fmt.Errorf("data: %s: IDX files: read them with LoadIDXDir", o.Path)}
	}
	if err != nil {
		return nil, inputErr(err)
	}
	s.Layout = layout
	return s, nil
}

// splitRows returns the training and test rows of n examples: all and nil
// with a separate test file, else a seeded split; each cut to limit.
func splitRows(o SourceOptions, n int, split func(float64) ([]int, []int, error)) ([]int, []int, error) {
	var tr, te []int
	if o.TestPath == "" {
		var err error
		if tr, te, err = split(o.Split); err != nil {
			return nil, nil, err
		}
	} else {
		tr = make([]int, n)
		for i := range tr {
			tr[i] = i
		}
	}
	if o.Limit > 0 {
		tr = tr[:min(len(tr), o.Limit)]
		if te != nil {
			te = te[:min(len(te), o.Limit)]
		}
	}
	return tr, te, nil
}

func firstRows(n, limit int) []int {
	if limit > 0 {
		n = min(n, limit)
	}
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	return rows
}

func openTable(o SourceOptions) (*Source, error) {
	tb, err := ReadCSVFile(o.Path, o.CSV)
	if err != nil {
		return nil, err
	}
	tr, te, err := splitRows(o, tb.Rows(), func(f float64) ([]int, []int, error) { return tb.Split(f, tensor.NewRand(o.Seed)) })
	if err != nil {
		return nil, err
	}
	prep := tb.Fit(tr)
	s := &Source{Table: prep}
	if s.Train, err = tb.Dataset(prep, tr); err != nil {
		return nil, err
	}
	testTable := tb
	if o.TestPath != "" {
		opts := o.CSV
		opts.Prep = prep
		if testTable, err = ReadCSVFile(o.TestPath, opts); err != nil {
			return nil, err
		}
		if !testTable.HasTarget() {
			return nil, fmt.Errorf("data: %s: no target column %s: test data must be labelled", o.TestPath, prep.Target)
		}
		te = firstRows(testTable.Rows(), o.Limit)
	}
	if s.Test, err = testTable.Dataset(prep, te); err != nil {
		return nil, err
	}
	return s, nil
}

func openImages(o SourceOptions) (*Source, error) {
	f, err := ReadImageFolder(o.Path, o.Images)
	if err != nil {
		return nil, err
	}
	tr, te, err := splitRows(o, f.Len(), func(frac float64) ([]int, []int, error) { return f.split(frac, o.Seed) })
	if err != nil {
		return nil, err
	}
	prep := f.Fit(tr)
	s := &Source{Images: prep}
	if s.Train, err = f.Dataset(prep, tr); err != nil {
		return nil, err
	}
	testFolder := f
	if o.TestPath != "" {
		if testFolder, err = ReadImageFolder(o.TestPath, ImageFolderOptions{MemoryLimit: o.Images.MemoryLimit, Prep: prep}); err != nil {
			return nil, err
		}
		te = firstRows(testFolder.Len(), o.Limit)
	}
	if s.Test, err = testFolder.Dataset(prep, te); err != nil {
		return nil, err
	}
	return s, nil
}

// split holds out frac of the images (at least one) for testing.
func (f *ImageFolder) split(frac float64, seed uint64) ([]int, []int, error) {
	n := len(f.Files)
	nTest := int(frac*float64(n) + 0.5)
	if nTest < 1 || nTest >= n {
		return nil, nil, fmt.Errorf("data: %s: cannot hold out %v of %d images for testing", f.Root, frac, n)
	}
	perm := tensor.NewRand(seed).Perm(n)
	te, tr := perm[:nTest], perm[nTest:]
	slices.Sort(te)
	slices.Sort(tr)
	return tr, te, nil
}

// WritePrep writes the source's preprocessing into dir (TablePrepFile or
// ImagePrepFile) through write, which writes a file atomically.
func (s *Source) WritePrep(dir string, write func(path string, f func(io.Writer) error) error) error {
	name, v := TablePrepFile, any(s.Table)
	if s.Images != nil {
		name, v = ImagePrepFile, s.Images
	}
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return write(filepath.Join(dir, name), func(w io.Writer) error {
		_, err := w.Write(append(raw, '\n'))
		return err
	})
}

// ReadRunPrep reads the preprocessing a run saved in dir: exactly one of
// the table's and the images' is returned; neither (a run on IDX data) is
// not an error.
func ReadRunPrep(dir string) (*TablePrep, *ImagePrep, error) {
	read := func(name string) (*os.File, error) {
		f, err := os.Open(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return f, err
	}
	if f, err := read(TablePrepFile); err != nil || f != nil {
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		p, err := ReadTablePrep(f, f.Name())
		return p, nil, err
	}
	if f, err := read(ImagePrepFile); err != nil || f != nil {
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		p, err := ReadImagePrep(f, f.Name())
		return nil, p, err
	}
	return nil, nil, nil
}
