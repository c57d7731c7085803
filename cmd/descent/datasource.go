package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/train"
)

// addDataFlags defines the flags of a run's own data: a CSV file or an
// image folder given to --data.
func addDataFlags(fs *flag.FlagSet, c *train.Config) {
	fs.StringVar(&c.TestData, "test-data", "", "test data in the form of --data (a CSV file or an image folder); default: hold out --test-split of --data")
	fs.Float64Var(&c.TestSplit, "test-split", 0, "fraction of a CSV's rows or a folder's images held out for testing (default 0.2)")
	fs.StringVar(&c.Target, "target", "", "the CSV's target column, by name or 0-based index (default: the last)")
	fs.StringVar(&c.Task, "task", "", "classification or regression (default: guessed from the CSV's target)")
	fs.StringVar(&c.ImageSize, "image-size", "", "resize an image folder's images to HxW or N (NxN) (default: the first image's size)")
	fs.IntVar(&c.Channels, "channels", 0, "an image folder's channels: 1 (grayscale) or 3 (RGB) (default: the first image's)")
	fs.StringVar(&c.Norm, "norm", "", "normalization after each hidden Linear (and convolution): batch or layer (default: none)")
}

// dataUsageError makes a data error (data.InputError) a usage error: one
// line naming the file and line, exit status 2.
func dataUsageError(err error) error { return flagErr(train.DataError(err)) }

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
