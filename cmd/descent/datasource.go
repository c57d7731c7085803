package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/train"
)

// addDataFlags defines the flags of a run's own data: a CSV file or an
// image folder given to --data.
func addDataFlags(fs *flag.FlagSet, c *trainConfig) {
	fs.StringVar(&c.TestData, "test-data", "", "test data in the form of --data (a CSV file or an image folder); default: hold out --test-split of --data")
	fs.Float64Var(&c.TestSplit, "test-split", 0, "fraction of a CSV's rows or a folder's images held out for testing (default 0.2)")
	fs.StringVar(&c.Target, "target", "", "the CSV's target column, by name or 0-based index (default: the last)")
	fs.StringVar(&c.Task, "task", "", "classification or regression (default: guessed from the CSV's target)")
	fs.StringVar(&c.ImageSize, "image-size", "", "resize an image folder's images to HxW or N (NxN) (default: the first image's size)")
	fs.IntVar(&c.Channels, "channels", 0, "an image folder's channels: 1 (grayscale) or 3 (RGB) (default: the first image's)")
	fs.StringVar(&c.Norm, "norm", "", "normalization after each hidden Linear (and convolution): batch or layer (default: none)")
}

// defaultTestSplit is the fraction held out when neither --test-data nor
// --test-split is given.
const defaultTestSplit = 0.2

// ownDataLayout returns the layout of c.Data ("csv", "imagefolder" or
// "idx"), or "" for the embedded MNIST.
func ownDataLayout(c trainConfig) (string, error) {
	if c.Data == "" {
		return "", nil
	}
	layout, err := data.Layout(c.Data)
	if err != nil {
		return "", usagef("--data %s: not a readable file or directory", c.Data)
	}
	return layout, nil
}

// loadRunData loads the data of a run: a CSV file or an image folder
// through data.OpenSource (returned, to save its preprocessing), else the
// IDX data or MNIST as loadData does.
func loadRunData(c trainConfig) (data.Dataset, data.Dataset, *data.Source, error) {
	layout, err := ownDataLayout(c)
	if err != nil {
		return nil, nil, nil, err
	}
	if layout != "csv" && layout != "imagefolder" {
		if c.TestData != "" || c.TestSplit != 0 || c.Target != "" || c.Task != "" || c.ImageSize != "" || c.Channels != 0 {
			return nil, nil, nil, usagef("--test-data, --test-split, --target, --task, --image-size and --channels apply to a CSV file or an image folder given to --data")
		}
		tr, te, err := loadData(c)
		return tr, te, nil, err
	}
	src, err := openSource(c, layout)
	if err != nil {
		return nil, nil, nil, err
	}
	return src.Train, src.Test, src, nil
}

// openSource reads c.Data (and c.TestData) with the configured options.
func openSource(c trainConfig, layout string) (*data.Source, error) {
	if c.Limit < 0 {
		return nil, usagef("--limit %d: want a positive number of examples, or 0 for all", c.Limit)
	}
	if c.TestData != "" && c.TestSplit != 0 {
		return nil, usagef("--test-data and --test-split both say what to test on: give one")
	}
	split := c.TestSplit
	if split == 0 {
		split = defaultTestSplit
	}
	if c.TestData == "" && !(split > 0 && split < 1) {
		return nil, usagef("--test-split %v: want a fraction between 0 and 1", c.TestSplit)
	}
	if c.Task != "" && c.Task != "classification" && c.Task != "regression" {
		return nil, usagef("--task %q: want classification or regression", c.Task)
	}
	if layout == "imagefolder" && (c.Target != "" || c.Task != "") {
		return nil, usagef("--target and --task apply to a CSV file; an image folder's classes are its folders")
	}
	if layout == "csv" && (c.ImageSize != "" || c.Channels != 0) {
		return nil, usagef("--image-size and --channels apply to an image folder, not to the CSV file %s", c.Data)
	}
	h, w, err := parseImageSize(c.ImageSize)
	if err != nil {
		return nil, err
	}
	if c.Channels != 0 && c.Channels != 1 && c.Channels != 3 {
		return nil, usagef("--channels %d: want 1 (grayscale) or 3 (RGB)", c.Channels)
	}
	src, err := data.OpenSource(data.SourceOptions{Path: c.Data, TestPath: c.TestData, Split: split, Seed: c.Seed, Limit: c.Limit,
		CSV:    data.CSVOptions{Target: c.Target, Task: c.Task},
		Images: data.ImageFolderOptions{Height: h, Width: w, Channels: c.Channels}})
	if err != nil {
		return nil, dataUsageError(err)
	}
	return src, nil
}

// dataUsageError makes a data error (data.InputError) a usage error: one
// line naming the file and line, exit status 2.
func dataUsageError(err error) error {
	var ie *data.InputError
	if errors.As(err, &ie) {
		return &usageError{strings.TrimPrefix(oneLine(err.Error()), "data: ")}
	}
	return err
}

// parseImageSize parses --image-size: HxW or N; "" is 0x0 (the first
// image's size).
func parseImageSize(s string) (int, int, error) {
	if s == "" {
		return 0, 0, nil
	}
	hs, ws, ok := strings.Cut(s, "x")
	if !ok {
		ws = hs
	}
	h, err1 := strconv.Atoi(hs)
	w, err2 := strconv.Atoi(ws)
	if err1 != nil || err2 != nil || h <= 0 || w <= 0 || h > 4096 || w > 4096 {
		return 0, 0, usagef("--image-size %q: want HxW or N, sizes from 1 to 4096", s)
	}
	return h, w, nil
}

// saveSourcePrep writes the preprocessing of a run's own data into its
// directory, so that predict and eval treat new data the same way.
func saveSourcePrep(src *data.Source, dir string) error {
	if src == nil {
		return nil
	}
	if err := src.WritePrep(dir, train.WriteFileAtomic); err != nil {
		return usagef("cannot write in output directory %s: %v", dir, err)
	}
	return nil
}

// finalMetric is the last line of a run: test accuracy, or for a
// regression test rmse (the root of the test MSE).
func finalMetric(w io.Writer, testSet data.Dataset, h train.EpochMetrics) {
	if train.IsRegression(testSet) {
		fmt.Fprintf(w, "test rmse: %.4f\n", math.Sqrt(h.TestLoss))
		return
	}
	fmt.Fprintf(w, "test accuracy: %.4f\n", h.TestAccuracy)
}

// interruptWatch turns Ctrl-C, before training proper starts (data
// loading, pretraining), into a message and exit status 130 at once: there
// is no step to finish and no checkpoint to write yet.
type interruptWatch struct {
	phase atomic.Pointer[string]
	ch    chan os.Signal
	done  chan struct{}
	once  sync.Once
}

// watchInterrupt starts the watch in phase ("loading the data").
func watchInterrupt(phase string) *interruptWatch {
	iw := &interruptWatch{ch: make(chan os.Signal, 1), done: make(chan struct{})}
	iw.phase.Store(&phase)
	signal.Notify(iw.ch, os.Interrupt)
	go func() {
		select {
		case <-iw.ch:
			fmt.Fprintf(os.Stderr, "descent: interrupted while %s; no training step was taken\n", *iw.phase.Load())
			os.Exit(exitInterrupted)
		case <-iw.done:
		}
	}()
	return iw
}

// set names the phase under way.
func (iw *interruptWatch) set(phase string) { iw.phase.Store(&phase) }

// stop ends the watch (once; later calls do nothing); the caller installs
// its own handling.
func (iw *interruptWatch) stop() {
	iw.once.Do(func() {
		signal.Stop(iw.ch)
		close(iw.done)
	})
}
