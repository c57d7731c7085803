package doctor_test

import (
	"context"
	"fmt"
	"os"

	"github.com/descent-ml/descent/doctor"
	"github.com/descent-ml/descent/train"
)

// A run watched by the doctor, as descent train watches every run: the
// statistics go to the run directory, the findings to the output (a
// healthy run has none) and to diagnoses.txt.
func ExampleWatch() {
	c := train.Defaults()
	c.Hidden, c.Epochs, c.Limit = "32", 1, 300
	run, err := train.Prepare(c, train.PrepareOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "watched")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	closeFiles, err := doctor.Watch(run.Trainer, dir, os.Stdout)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := run.Trainer.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	if err := closeFiles(); err != nil {
		fmt.Println(err)
	}
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		fmt.Println(f.Name())
	}
	// Output:
	// diagnoses.txt
	// histograms.csv
	// layers.csv
	// steps.csv
}
