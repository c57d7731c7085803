package data_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/tensor"
)

// Training batches of MNIST for an MLP: the embedded copy, 64 images a
// batch, flattened to 784 inputs, reshuffled every epoch from the seed.
func ExampleLoadMNIST() {
	train, test, err := data.LoadMNIST()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(train.Len(), test.Len(), train.Shape(), train.Classes())
	fmt.Println("first labels:", train.Label(0), test.Label(0))

	loader, err := data.NewLoader[float32](train, data.LoaderOptions{BatchSize: 64, Flat: true}, tensor.NewRand(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, b := range loader.Epoch(0) {
		if i == 0 || i == loader.Len()-1 {
			fmt.Println("batch", i, b.X.Shape(), len(b.Labels))
		}
	}
	// Output:
	// 60000 10000 [1 28 28] 10
	// first labels: 5 7
	// batch 0 [64 784] 64
	// batch 937 [32 784] 32
}

// A fast test on a fixed random tenth of the training set, in the
// [B, 1, 28, 28] layout a CNN takes, with the last short batch dropped.
func ExampleSample() {
	train, _, err := data.LoadMNIST()
	if err != nil {
		fmt.Println(err)
		return
	}
	small, err := data.Sample(train, 6000, tensor.NewRand(7))
	if err != nil {
		fmt.Println(err)
		return
	}
	loader, err := data.NewLoader[float32](small, data.LoaderOptions{BatchSize: 100, DropLast: true}, tensor.NewRand(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	b := loader.Batch(0, 0)
	fmt.Println(small.Len(), loader.Len(), b.X.Shape())
	// Output:
	// 6000 60 [100 1 28 28]
}

// Read a small CSV table, fit the preprocessing on all its rows, and look
// at the model inputs of one row: the numeric column standardized, the
// text column one-hot encoded.
func ExampleReadCSV() {
	text := "height,colour,kind\n1.0,red,small\n3.0,blue,large\n2.0,red,small\n"
	tb, err := data.ReadCSV(strings.NewReader(text), int64(len(text)), "plants.csv", data.CSVOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	prep := tb.Fit(nil)
	ds, _ := tb.Dataset(prep, nil)
	x, label := make([]float32, ds.Shape()[0]), make([]int, 1)
	ds.Fill(x, label, []int{1})
	fmt.Println(tb.Columns, tb.Target, tb.Task, tb.Classes)
	fmt.Printf("row 1: %.4f -> class %s\n", x, prep.Classes[label[0]])
	// Output:
	// [height colour] kind classification [large small]
	// row 1: [1.2247 1.0000 0.0000] -> class large
}

// New rows for a model trained on plants.csv are read with the training
// data's preprocessing: the same standardization and encoding, and the
// target column may be missing.
func ExampleRunPrep_ReadNew() {
	text := "height,colour,kind\n1.0,red,small\n3.0,blue,large\n2.0,red,small\n"
	tb, _ := data.ReadCSV(strings.NewReader(text), int64(len(text)), "plants.csv", data.CSVOptions{})
	prep := data.RunPrep{Table: tb.Fit(nil)}
	path := filepath.Join(os.TempDir(), "new-plants.csv")
	os.WriteFile(path, []byte("height,colour\n3.0,blue\n"), 0o644)
	defer os.Remove(path)
	ds, ids, labelled, err := prep.ReadNew(path)
	x := make([]float32, ds.Shape()[0])
	ds.Fill(x, make([]int, 1), []int{0})
	fmt.Println(ids, labelled, err, prep.Classes())
	fmt.Printf("%.4f\n", x)
	// Output:
	// [0] false <nil> [large small]
	// [1.2247 1.0000 0.0000]
}
