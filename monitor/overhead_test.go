package monitor

import (
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/train"
)

// mnistEpoch is the number of steps of an MNIST epoch at batch 128, the
// default run's (60000 images).
const mnistEpoch = 469

// overheadBlock is the number of steps of one block of the interleaved
// measurement (one steps.csv row each), overheadBlocks the number of
// blocks of one iteration, half of them with the recorder on: 480 steps
// on, about an epoch (each iteration holds one epoch end of the recorder's
// for the first 42 iterations).
const (
	overheadBlock  = 10
	overheadBlocks = 96
)

// BenchmarkOverhead measures what recording costs a run at the default
// settings, on the default MLP (784-512-256-10, SGD with momentum, batch
// 128, MNIST-sized data), by timing training with and without the
// recorder, interleaved: the run alternates blocks of 10 steps with the
// recorder on and off (on, off, off, on, ..., so that a drift of the
// machine's load falls on both arms alike), each block timed whole (data,
// forward, backward, the optimizer and, when on, the recorder). The
// recorder sees only its own steps, numbered as a run of its own (1, 2,
// ...), and draws the histograms every 469 of them: its blocks together
// are a default run's recording, the early per-layer records of a run's
// first 100 steps included. One iteration is about an epoch of recording
// (480 steps on, as many off); its overhead is on/off - 1. It reports
//
//   - overhead-%: the median over the iterations of the overhead, the
//     number the 2% budget is about;
//   - epoch1-%: the first iteration's overhead, with the early records;
//   - inside-%: the time inside the recorder's calls over the time of the
//     steps with the recorder on, a lower bound that load disturbs little.
//
// On a shared machine run it at normal priority and alone:
//
//	go test -run XXX -bench Overhead -benchtime 5x ./monitor/
//
// With DESCENT_OVERHEAD_AA=1 both arms leave the recorder off (an A/A
// run): what it reports then is the measurement's own bias and noise.
func BenchmarkOverhead(b *testing.B) {
	tr := defaultTrainer(b)
	rec, err := New(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Close()
	ab := &abSink{rec: rec, epochSteps: mnistEpoch, aa: os.Getenv("DESCENT_OVERHEAD_AA") != ""}
	tr.Stats = ab
	runSteps(b, tr, 2*overheadBlock) // warm, recorder off
	var overheads []float64
	var inside, onTime time.Duration
	for b.Loop() {
		ab.reset()
		runSteps(b, tr, overheadBlock*overheadBlocks)
		overheads = append(overheads, 100*(float64(ab.time[1])/float64(ab.time[0])-1))
		inside += ab.inside
		onTime += ab.time[1]
	}
	b.ReportMetric(median(overheads), "overhead-%")
	b.ReportMetric(overheads[0], "epoch1-%")
	b.ReportMetric(100*float64(inside)/float64(onTime), "inside-%")
	b.Logf("overhead per iteration, %%: %.2f", overheads)
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// abSink switches the recorder on and off every overheadBlock steps (the
// pattern on, off, off, on) and times the blocks of each arm, from the end
// of a block's last step to the end of the next block's. The recorder sees
// its own steps only, renumbered from 1, and an epoch end every epochSteps
// of them; the trainer's own epoch ends are not passed on.
type abSink struct {
	rec        *Recorder
	epochSteps int
	aa         bool // the recorder off in both arms

	steps   int              // steps since reset
	mine    int              // steps the recorder has seen, in all
	mark    time.Time        // end of the previous block
	time    [2]time.Duration // off, on
	inside  time.Duration    // in the recorder's calls
	stats   train.StepStats  // the step as the recorder sees it
	started bool
}

func (a *abSink) reset() {
	a.steps, a.time, a.inside, a.started = 0, [2]time.Duration{}, 0, false
}

// arm is 1 for the arm with the recorder on, 0 for the other, for the step
// after steps steps; on reports whether the recorder is on.
func (a *abSink) arm() int {
	if b := a.steps / overheadBlock; b%4 == 0 || b%4 == 3 {
		return 1
	}
	return 0
}

func (a *abSink) on() bool { return a.started && !a.aa && a.arm() == 1 }

func (a *abSink) WantTape(step int) bool {
	if !a.started { // the first call times from here
		a.started, a.mark = true, time.Now()
	}
	return a.on() && a.rec.WantTape(a.mine+1)
}

// view is the step as the recorder sees it: its own step number and epoch.
func (a *abSink) view(s *train.StepStats) *train.StepStats {
	a.stats = *s
	a.stats.Step, a.stats.Epoch, a.stats.StepsPerEpoch = a.mine+1, a.mine/a.epochSteps+1, a.epochSteps
	return &a.stats
}

func (a *abSink) Observe(s *train.StepStats) {
	if a.on() {
		t := time.Now()
		a.rec.Observe(a.view(s))
		a.inside += time.Since(t)
	}
}

func (a *abSink) Stepped(s *train.StepStats) {
	arm := a.arm()
	if a.on() {
		t := time.Now()
		a.rec.Stepped(a.view(s))
		a.mine++
		if a.mine%a.epochSteps == 0 {
			a.rec.EndEpoch(train.EpochMetrics{Epoch: a.mine / a.epochSteps}, s.Params)
		}
		a.inside += time.Since(t)
	}
	if a.steps++; a.steps%overheadBlock == 0 {
		now := time.Now()
		a.time[arm] += now.Sub(a.mark)
		a.mark = now
	}
}

func (a *abSink) EndEpoch(train.EpochMetrics, []*autograd.Var[float32]) {}

// BenchmarkRecorderCalls times the recorder's calls on their own, on a
// step of the default MLP (batch 128): a steps.csv row (at the default
// settings every 10 steps), a step with per-layer rows (every 100) and the
// histograms (every epoch). ns/op is one call's time (Observe and Stepped
// together for the steps).
//
//	go test -run XXX -bench RecorderCalls ./monitor/
func BenchmarkRecorderCalls(b *testing.B) {
	tr := defaultTrainer(b)
	rec, err := New(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Close()
	tr.Stats = &loopSink{rec: rec, b: b, step: 200} // warm: allocate the probes
	runSteps(b, tr, 1)
	for _, c := range []struct {
		name string
		step int
	}{{"steps-row", 110}, {"layer-rows", 200}} {
		b.Run(c.name, func(b *testing.B) {
			tr.Stats = &loopSink{rec: rec, b: b, step: c.step}
			runSteps(b, tr, 1)
		})
	}
	b.Run("histograms", func(b *testing.B) {
		for b.Loop() {
			rec.EndEpoch(train.EpochMetrics{Epoch: 1}, tr.Model.Parameters())
		}
	})
}

// loopSink runs the benchmark loop inside Observe, on the step's tape,
// presenting the step to the recorder as step number step.
type loopSink struct {
	rec  *Recorder
	b    *testing.B
	step int
}

func (l *loopSink) WantTape(int) bool { return l.rec.WantTape(l.step) }
func (l *loopSink) Observe(s *train.StepStats) {
	v := *s
	v.Step = l.step
	for l.b.Loop() {
		l.rec.Observe(&v)
		l.rec.Stepped(&v)
	}
}
func (l *loopSink) Stepped(*train.StepStats)                              {}
func (l *loopSink) EndEpoch(train.EpochMetrics, []*autograd.Var[float32]) {}

// defaultTrainer is the default run's model and optimizer (784-512-256-10,
// SGD with Nesterov momentum 0.9, batch 128) on MNIST-sized random data.
func defaultTrainer(b *testing.B) *train.Trainer {
	ds := randomImages(b, 128*mnistEpoch, 1)
	model, err := models.MLP[float32](rand.New(rand.NewPCG(1, 2)), 28*28, models.DefaultMLPHidden, 10, models.Options{})
	if err != nil {
		b.Fatal(err)
	}
	opt, err := optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.01, Momentum: 0.9, Nesterov: true})
	if err != nil {
		b.Fatal(err)
	}
	tr, err := train.NewTrainer(model, opt, ds, randomImages(b, 8, 2), true, 1, train.Options{BatchSize: 128, Epochs: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	return tr
}
