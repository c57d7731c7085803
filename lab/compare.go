package lab

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"text/tabwriter"
	"time"

	dtrain "github.com/descent-ml/descent/train"
)

// CompareLR is the learning rate that trains each optimizer (by its
// optim registry name) well on MNIST's MLP in a few epochs: what the
// comparison gives each unless told, and what descent train takes for an
// --opt given without --lr.
var CompareLR = map[string]float64{
	"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.01, "rmsprop": 0.001,
	"adadelta": 1, "adam": 0.001, "adamw": 0.001, "adamax": 0.002, "nadam": 0.002,
	"radam": 0.001, "lookahead": 0.05,
}

// OptimizerDefaults completes c when given (its keys as in
// train.Config.RecurrentDefaults) holds "opt" naming another optimizer
// than the default SGD: the default Set belongs to that SGD, so the
// optimizer starts from its own settings, and from its CompareLR ("" for
// a name the table lacks) unless given holds "lr".
func OptimizerDefaults(c *dtrain.Config, given map[string]bool) {
	if !given["opt"] || c.Opt == dtrain.Defaults().Opt {
		return
	}
	if !given["set"] {
		c.Set = ""
	}
	if !given["lr"] {
		c.LR = ""
		if lr, ok := CompareLR[c.Opt]; ok {
			c.LR = strconv.FormatFloat(lr, 'g', -1, 64)
		}
	}
}

// Contestant is one run of a comparison: a trainer ready to run (every
// contestant starting from the same weights and seeing the data in the
// same order, so that only what is compared differs), its name in the
// table, the curves and the CSV, and its learning rate as the user wrote
// it.
type Contestant struct {
	Name, LR string
	Trainer  *dtrain.Trainer
	// Steps, if set, is called once the run has ended and returns its
	// step-level loss (a statistics recorder's), which the curves draw.
	Steps func() []dtrain.StepLoss
}

// CompareResult is one contestant's outcome: its epochs, and whether and
// at which step it diverged.
type CompareResult struct {
	Name, LR   string
	History    []dtrain.EpochMetrics
	Seconds    float64
	Diverged   bool
	DivergedAt int
}

// History holds only finite epochs: a run that diverged at the end of an
// epoch recorded NaN for it, which a plot cannot draw and a CSV should not
// hold.

// Final returns the last epoch's metrics (zero when none was trained).
func (r CompareResult) Final() dtrain.EpochMetrics {
	if len(r.History) == 0 {
		return dtrain.EpochMetrics{}
	}
	return r.History[len(r.History)-1]
}

// Compare is the lecture's optimizer (or initializer) comparison: it
// trains the contestants side by side, announcing each on progress, and
// writes compare.png (the loss and accuracy curves of all, titled title)
// and compare.csv (metrics.csv's columns after a leading name) into dir. A
// contestant that diverges is a result, not an error: the comparison goes
// on.
//
// The contestants take turns of about Turn of steps each, one at a time,
// so each epoch's seconds (which leave out the time spent waiting for a
// turn) are measured over the same stretch of time for all: a machine
// that is busier in one minute than in the next slows every contestant
// alike. Run one after another on a shared 2-core machine, ten optimizers
// whose steps cost within 3% of each other gave epochs up to 1.6x apart.
// Each contestant's results are those it gives alone.
func Compare(ctx context.Context, cs []Contestant, dir, title string, progress io.Writer) ([]CompareResult, error) {
	for _, c := range cs {
		fmt.Fprintf(progress, "training %s (lr %s)...\n", c.Name, c.LR)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results, errs := make([]CompareResult, len(cs)), make([]error, len(cs))
	t := newTurns(len(cs), Turn)
	var wg sync.WaitGroup
	for i, c := range cs {
		pause := c.Trainer.Options.Pause
		c.Trainer.Options.Pause = func() { t.pause(i) }
		wg.Go(func() {
			defer func() { c.Trainer.Options.Pause = pause }()
			t.wait(i)
			err := c.Trainer.Run(ctx)
			results[i] = CompareResult{Name: c.Name, LR: c.LR, Seconds: t.leave(i).Seconds()}
			var de *dtrain.DivergenceError
			if errors.As(err, &de) {
				results[i].Diverged, results[i].DivergedAt = true, de.Step
			} else if err != nil {
				errs[i] = fmt.Errorf("lab: compare: %s: %w", c.Name, err)
				cancel() // the others stop at their next step
			}
		})
	}
	t.begin()
	wg.Wait()
	// The error that stopped the others, else the first interruption.
	var first error
	for _, err := range errs {
		if err != nil && (first == nil || errors.Is(first, dtrain.ErrInterrupted) && !errors.Is(err, dtrain.ErrInterrupted)) {
			first = err
		}
	}
	if first != nil {
		return nil, first
	}
	series := make([]dtrain.Series, len(cs))
	for i, c := range cs {
		results[i].History = finiteEpochs(c.Trainer.History())
		series[i] = dtrain.Series{Name: c.Name, Rows: results[i].History}
		if c.Steps != nil {
			series[i].Steps = c.Steps()
		}
	}
	if err := dtrain.PlotCurves(filepath.Join(dir, "compare.png"), title, series); err != nil {
		return nil, err
	}
	if err := writeCompareCSV(filepath.Join(dir, "compare.csv"), series); err != nil {
		return nil, err
	}
	return results, nil
}

// Turn is how long a contestant of Compare trains before handing the
// machine to the next: long against the cost of finding its weights out
// of cache again (about a millisecond for the MLP), short against the
// minutes over which a shared machine's load drifts.
var Turn = 50 * time.Millisecond

// turns lets n goroutines run one at a time, in a ring, each for about a
// slice; held is how long each has run.
type turns struct {
	slice  time.Duration
	wake   []chan struct{} // wake[i] starts goroutine i's turn
	mu     sync.Mutex
	done   []bool
	held   []time.Duration
	turnAt time.Time // when the running goroutine's turn began
}

func newTurns(n int, slice time.Duration) *turns {
	t := &turns{slice: slice, wake: make([]chan struct{}, n), done: make([]bool, n), held: make([]time.Duration, n)}
	for i := range t.wake {
		t.wake[i] = make(chan struct{}, 1)
	}
	return t
}

// begin gives the first turn.
func (t *turns) begin() {
	if len(t.wake) > 0 {
		t.wake[0] <- struct{}{}
	}
}

// wait blocks goroutine i until its turn.
func (t *turns) wait(i int) {
	<-t.wake[i]
	t.mu.Lock()
	t.turnAt = time.Now()
	t.mu.Unlock()
}

// pause hands the turn on once goroutine i's has lasted a slice, and
// waits for the next (at once when every other has finished).
func (t *turns) pause(i int) {
	t.mu.Lock()
	due := time.Since(t.turnAt) >= t.slice
	t.mu.Unlock()
	if due {
		t.handOn(i, false)
		t.wait(i)
	}
}

// leave ends goroutine i, hands the turn on, and returns how long i ran.
func (t *turns) leave(i int) time.Duration {
	t.handOn(i, true)
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.held[i]
}

func (t *turns) handOn(i int, finished bool) {
	t.mu.Lock()
	t.held[i] += time.Since(t.turnAt)
	t.done[i] = finished
	next := -1
	for k := 1; k <= len(t.wake); k++ {
		if j := (i + k) % len(t.wake); !t.done[j] {
			next = j
			break
		}
	}
	t.mu.Unlock()
	if next >= 0 {
		t.wake[next] <- struct{}{}
	}
}

// finiteEpochs returns the epochs of h before the first with a non-finite
// metric (divergence stops a run, so these are the epochs before it).
func finiteEpochs(h []dtrain.EpochMetrics) []dtrain.EpochMetrics {
	for i, r := range h {
		for _, v := range []float64{r.TrainLoss, r.TestLoss, r.TestAccuracy, r.LR, r.Seconds} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return h[:i]
			}
		}
	}
	return h
}

// writeCompareCSV writes every run's metrics with a leading name column.
func writeCompareCSV(path string, series []dtrain.Series) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	_ = cw.Write(append([]string{"name"}, dtrain.MetricsHeader...))
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, s := range series {
		for _, r := range s.Rows {
			_ = cw.Write([]string{s.Name, strconv.Itoa(r.Epoch), g(r.TrainLoss), g(r.TestLoss), g(r.TestAccuracy), g(r.LR), g(r.Seconds)})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteCompareTable writes the results as an aligned table: name, lr, the
// final test accuracy and loss, the seconds the run took, and for a run
// that diverged the step (a run that diverged before a finite epoch shows
// "-", not a made-up accuracy). It returns one line per diverged run,
// "NAME (lr LR) at step N".
func WriteCompareTable(w io.Writer, results []CompareResult) (diverged []string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tlr\ttest accuracy\ttest loss\tseconds\t")
	for _, r := range results {
		acc, loss, note := "-", "-", ""
		if len(r.History) > 0 {
			f := r.Final()
			acc, loss = fmt.Sprintf("%.4f", f.TestAccuracy), fmt.Sprintf("%.4f", f.TestLoss)
		}
		if r.Diverged {
			note = fmt.Sprintf("diverged at step %d", r.DivergedAt)
			if len(r.History) > 0 {
				note += fmt.Sprintf(" (metrics of epoch %d)", r.Final().Epoch)
			}
			diverged = append(diverged, fmt.Sprintf("%s (lr %s) at step %d", r.Name, r.LR, r.DivergedAt))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f\t%s\n", r.Name, r.LR, acc, loss, r.Seconds, note)
	}
	tw.Flush()
	return diverged
}

// CompareEntry is one contestant of a comparison as planned: its name in
// the table, its optimizer and learning rate (as written, "" for the
// optimizer's default) and, in a comparison of initializers, its
// initializer.
type CompareEntry struct {
	Name, Opt, LR, Init string
}

// PlanCompare lists the contestants of a comparison: one per optimizer of
// opts, or, when inits names several initializers, one per initializer
// under the single optimizer of opts. lrs gives the learning rates: none
// (each optimizer's CompareLR), one for all, or one per optimizer; each
// must be a non-negative number.
func PlanCompare(opts, lrs, inits []string) ([]CompareEntry, error) {
	if len(inits) > 1 && len(opts) > 1 {
		return nil, fmt.Errorf("lab: compare either optimizers or initializers, not both")
	}
	if len(lrs) > 1 && len(lrs) != len(opts) {
		return nil, fmt.Errorf("lab: compare: %d learning rates for %d optimizers: give one, or one per optimizer", len(lrs), len(opts))
	}
	for _, v := range lrs {
		if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 {
			return nil, fmt.Errorf("lab: compare: learning rate %q: want non-negative numbers", v)
		}
	}
	var out []CompareEntry
	for i, opt := range opts {
		e := CompareEntry{Name: opt, Opt: opt}
		if lr, ok := CompareLR[opt]; ok {
			e.LR = strconv.FormatFloat(lr, 'g', -1, 64)
		}
		if len(lrs) > 0 {
			e.LR = lrs[min(i, len(lrs)-1)]
		}
		if len(inits) <= 1 {
			out = append(out, e)
			continue
		}
		for _, in := range inits {
			e.Name, e.Init = in, in
			out = append(out, e)
		}
	}
	return out, nil
}
