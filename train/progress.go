package train

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress reports one epoch's advance: a live bar on a terminal, a plain
// line every few seconds otherwise (logs, pipes, CI).
type progress struct {
	w        io.Writer
	bar      *progressbar.ProgressBar
	epoch    int
	epochs   int
	total    int // samples in the epoch
	start    time.Time
	lastLine time.Time
	quiet    bool
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func newProgress(w io.Writer, epoch, epochs, total int, quiet bool) *progress {
	p := &progress{w: w, epoch: epoch, epochs: epochs, total: total, start: time.Now(), quiet: quiet}
	p.lastLine = p.start
	if !quiet && isTerminal(w) {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, epochs)),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

// update records that done samples of the epoch are finished, with the
// running loss and accuracy over them.
func (p *progress) update(done int, loss, acc float64) {
	if p.quiet {
		return
	}
	elapsed := time.Since(p.start).Seconds()
	rate := float64(done) / max(elapsed, 1e-9)
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("epoch %d/%d loss %.4f acc %.4f %.0f samples/s", p.epoch, p.epochs, loss, acc, rate))
		_ = p.bar.Set(done)
		return
	}
	if time.Since(p.lastLine) >= 5*time.Second && done < p.total {
		p.lastLine = time.Now()
		eta := time.Duration(float64(p.total-done) / max(rate, 1e-9) * float64(time.Second))
		fmt.Fprintf(p.w, "epoch %d/%d %d/%d loss %.4f acc %.4f %.0f samples/s eta %s\n",
			p.epoch, p.epochs, done, p.total, loss, acc, rate, eta.Round(time.Second))
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}
