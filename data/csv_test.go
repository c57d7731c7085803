package data_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/tensor"
)

func readCSV(t *testing.T, text string, opts data.CSVOptions) (*data.Table, error) {
	t.Helper()
	return data.ReadCSV(strings.NewReader(text), int64(len(text)), "t.csv", opts)
}

// all returns every example of ds: features and labels.
func all(ds data.Dataset) ([]float32, []int) {
	n, f := ds.Len(), ds.Shape()[0]
	x, labels, idx := make([]float32, n*f), make([]int, n), make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	ds.Fill(x, labels, idx)
	return x, labels
}

func TestCSV(t *testing.T) {
	const iris = "sepal,colour,species\n1,red,b\n3,blue,a\n\n5,\"red\",b\n7,green,c\n"
	tb, err := readCSV(t, iris, data.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tb.Columns, []string{"sepal", "colour"}) || tb.Target != "species" || tb.Task != "classification" ||
		!slices.Equal(tb.Classes, []string{"a", "b", "c"}) || tb.Rows() != 4 {
		t.Fatalf("table %+v", tb)
	}
	// Statistics from rows 0, 1, 2 only: sepal mean 3, std sqrt(8/3);
	// colours red and blue (sorted: blue, red); green is unknown.
	prep := tb.Fit([]int{0, 1, 2})
	ds, err := tb.Dataset(prep, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, labels := all(ds)
	s := float32(math.Sqrt(8.0 / 3))
	want := []float32{-2 / s, 0, 1, 0, 1, 0, 2 / s, 0, 1, 4 / s, 0, 0}
	for i := range want {
		if math.Abs(float64(x[i]-want[i])) > 1e-6 {
			t.Fatalf("features %v\nwant %v", x, want)
		}
	}
	if !slices.Equal(labels, []int{1, 0, 1, 2}) || ds.Classes() != 3 || ds.Shape()[0] != 3 {
		t.Fatalf("labels %v, classes %d, shape %v", labels, ds.Classes(), ds.Shape())
	}

	// The preprocessing survives JSON and reads a new file the same way.
	b, _ := json.Marshal(prep)
	back, err := data.ReadTablePrep(bytes.NewReader(b), "prep.json")
	if err != nil {
		t.Fatal(err)
	}
	tb2, err := readCSV(t, "sepal,colour,species\n5,red,b\n", data.CSVOptions{Prep: back})
	if err != nil {
		t.Fatal(err)
	}
	ds2, _ := tb2.Dataset(back, nil)
	x2, l2 := all(ds2)
	if !slices.Equal(x2, x[6:9]) || l2[0] != 1 {
		t.Errorf("new rows: %v %v, want %v 1", x2, l2, x[6:9])
	}
	// Rows to predict: the feature columns only.
	tb3, err := readCSV(t, "sepal,colour\n5,red\n7,green\n", data.CSVOptions{Prep: back})
	if err != nil || tb3.HasTarget() || tb3.Rows() != 2 {
		t.Fatalf("rows to predict: %v", err)
	}
	ds3, err := tb3.Dataset(back, nil)
	if err != nil {
		t.Fatal(err)
	}
	x3, l3 := all(ds3)
	if !slices.Equal(x3, x[6:]) || !slices.Equal(l3, []int{0, 0}) {
		t.Errorf("rows to predict: %v %v, want %v", x3, l3, x[6:])
	}
	// The same rows with the columns in another order (an export that
	// moved them): matched by name, with or without the target.
	for _, text := range []string{"colour,species,sepal\nred,b,5\n", "species,colour,sepal\nb,red,5\n", "colour,sepal\nred,5\n"} {
		tb4, err := readCSV(t, text, data.CSVOptions{Prep: back})
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		ds4, err := tb4.Dataset(back, nil)
		if err != nil {
			t.Fatal(err)
		}
		x4, l4 := all(ds4)
		if wantLabel := map[bool]int{true: 1, false: 0}[tb4.HasTarget()]; !slices.Equal(x4, x[6:9]) || l4[0] != wantLabel {
			t.Errorf("%q: %v %v, want %v %d", text, x4, l4, x[6:9], wantLabel)
		}
	}
	for _, text := range []string{"sepal,colour,size\n5,red,1\n", "sepal,sepal\n5,5\n", "sepal\n5\n"} {
		if _, err := readCSV(t, text, data.CSVOptions{Prep: back}); err == nil || !strings.Contains(err.Error(), "but the model was trained on sepal, colour (target species") {
			t.Errorf("%q: %v, want an error naming the model's columns", text, err)
		}
	}
	if _, err := readCSV(t, "sepal,colour,species\n5,red,z\n", data.CSVOptions{Prep: back}); err == nil ||
		!strings.Contains(err.Error(), `t.csv:2: target species: class "z" was not in the training data`) {
		t.Errorf("unknown class: %v", err)
	}
}

func TestCSVForms(t *testing.T) {
	cases := []struct {
		name, text string
		opts       data.CSVOptions
		columns    string
		target     string
		task       string
		classes    string
	}{
		{"no header", "1,2,0\n3,4,1\n", data.CSVOptions{}, "col0 col1", "col2", "classification", "0 1"},
		{"target by index", "a,b,c\n1,x,2\n3,y,4\n", data.CSVOptions{Target: "0"}, "b c", "a", "classification", "1 3"},
		{"target by name", "a,b,c\n1,x,2\n3,y,4\n", data.CSVOptions{Target: "b"}, "a c", "b", "classification", "x y"},
		{"numeric classes sort as numbers", "x,y\n1,10\n2,9\n3,10\n", data.CSVOptions{}, "x", "y", "classification", "9 10"},
		{"fractions make a regression", "x,y\n1,0.5\n2,1\n", data.CSVOptions{}, "x", "y", "regression", ""},
		{"regression asked", "x,y\n1,1\n2,2\n", data.CSVOptions{Task: "regression"}, "x", "y", "regression", ""},
		{"quoted, CRLF, semicolons", "\xef\xbb\xbf\"a;b\";y\r\n\"1\";\"p \"\"q\"\"\"\r\n2;\"multi\nline\"\r\n", data.CSVOptions{Comma: ';'},
			"a;b", "y", "classification", "multi\nline p \"q\""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb, err := readCSV(t, c.text, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(tb.Columns, " "); got != c.columns || tb.Target != c.target || tb.Task != c.task ||
				strings.Join(tb.Classes, " ") != c.classes {
				t.Errorf("columns %q target %q task %q classes %q", got, tb.Target, tb.Task, tb.Classes)
			}
		})
	}
	tb, _ := readCSV(t, "x,y\n1,0.5\n3,1.5\n", data.CSVOptions{})
	ds, _ := tb.Dataset(tb.Fit(nil), nil)
	y := make([]float32, 2)
	ds.FillTargets(y, []int{1, 0})
	if !slices.Equal(y, []float32{1.5, 0.5}) || ds.Classes() != 0 {
		t.Errorf("regression targets %v", y)
	}
}

func TestCSVErrors(t *testing.T) {
	cases := []struct {
		name, text string
		opts       data.CSVOptions
		want       string
	}{
		{"empty", "", data.CSVOptions{}, "t.csv: empty file"},
		{"blank lines only", "\n\n", data.CSVOptions{}, "t.csv: empty file"},
		{"header only", "a,b\n", data.CSVOptions{}, "t.csv: a header but no data rows"},
		{"ragged", "a,b\n1,2\n3\n", data.CSVOptions{}, "t.csv:3: 1 fields, but the header has 2"},
		{"non-number", "a,b\n1,2\n\n1x,2\n", data.CSVOptions{}, `t.csv:4: column a: "1x" is not a finite number`},
		{"NaN", "a,b\n1,2\nNaN,2\n", data.CSVOptions{}, `t.csv:3: column a: "NaN" is not a finite number`},
		{"Inf", "a,b\n1,2\n+Inf,2\n", data.CSVOptions{}, `t.csv:3: column a: "+Inf" is not a finite number`},
		{"empty numeric", "a,b\n1,2\n,2\n", data.CSVOptions{}, `t.csv:3: column a: "" is not a finite number`},
		{"unknown target", "a,b,c\n1,2,3\n", data.CSVOptions{Target: "d"}, `t.csv: no target column "d"; the columns are a, b, c`},
		{"regression text target", "a,b\n1,x\n", data.CSVOptions{Task: "regression"}, `t.csv:2: target b: "x" is not a finite number`},
		{"open quote", "a,b\n1,\"x\n", data.CSVOptions{}, "t.csv:2: quoted field not closed"},
		{"one column", "a\n1\n", data.CSVOptions{}, "t.csv: 1 column"},
		{"semicolons", "a;b\n1;2\n", data.CSVOptions{}, `t.csv: 1 column; a table needs at least one feature and a target (the header holds ';': descent reads comma-separated values)`},
		{"tabs", "a\tb\n1\t2\n", data.CSVOptions{}, `(the header holds '\t'`},
		{"too big", "a,b\n1,2\n3,4\n", data.CSVOptions{MemoryLimit: 8}, "t.csv: about 4 rows of 2 columns need"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := readCSV(t, c.text, c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line containing %q", err, c.want)
			}
		})
	}
}

func TestCSVSplit(t *testing.T) {
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := range 10 {
		b.WriteString(strings.Repeat("1", i+1) + ",a\n")
	}
	tb, err := readCSV(t, b.String(), data.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	train, test, err := tb.Split(0.2, tensor.NewRand(1))
	if err != nil || len(train) != 8 || len(test) != 2 || !slices.IsSorted(train) {
		t.Fatalf("split %v %v %v", train, test, err)
	}
	if _, _, err := tb.Split(1, tensor.NewRand(1)); err == nil {
		t.Error("split of everything accepted")
	}
	path := filepath.Join(t.TempDir(), "f.csv")
	os.WriteFile(path, []byte(b.String()), 0o644)
	if tb, err := data.ReadCSVFile(path, data.CSVOptions{}); err != nil || tb.Name != "f.csv" {
		t.Errorf("ReadCSVFile: %v", err)
	}
}
