package main

import (
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
