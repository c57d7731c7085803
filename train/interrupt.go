package train

import (
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
)

// PhaseWatch watches for an interrupt (Ctrl-C) while a run is being
// prepared (its data loading, its pretraining): there is no step to
// finish and no checkpoint to write yet, so a command stops at once.
// Once training proper starts, Stop it and let Run's context take the
// interrupt.
type PhaseWatch struct {
	phase atomic.Pointer[string]
	ch    chan os.Signal
	done  chan struct{}
	once  sync.Once
}

// WatchPhases starts a PhaseWatch in phase ("loading the data"): an
// interrupt before Stop calls onInterrupt with the phase under way, once.
func WatchPhases(phase string, onInterrupt func(phase string)) *PhaseWatch {
	pw := &PhaseWatch{ch: make(chan os.Signal, 1), done: make(chan struct{})}
	pw.phase.Store(&phase)
	signal.Notify(pw.ch, os.Interrupt)
	go func() {
		select {
		case <-pw.ch:
			onInterrupt(*pw.phase.Load())
		case <-pw.done:
		}
	}()
	return pw
}

// Set names the phase under way.
func (pw *PhaseWatch) Set(phase string) { pw.phase.Store(&phase) }

// Stop ends the watch (once; later calls do nothing); the caller installs
// its own handling.
func (pw *PhaseWatch) Stop() {
	pw.once.Do(func() {
		signal.Stop(pw.ch)
		close(pw.done)
	})
}
