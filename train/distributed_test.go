package train_test

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/dist"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// distRun builds the trainer of one rank (comm nil: one process): a small
// MLP under SGD with momentum or Adam, batch 32, no schedule.
func distRun(t *testing.T, trainSet, testSet data.Dataset, opt string, batch int, dir string, comm dist.Communicator) *train.Trainer {
	t.Helper()
	model, err := models.MLP[float32](tensor.NewRand(3), 784, []int{32, 16}, 10, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var o optim.Optimizer[float32]
	if opt == "adam" {
		o, err = optim.NewAdam(model.Parameters(), optim.AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
	} else {
		o, err = optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.05, Momentum: 0.9})
	}
	if err != nil {
		t.Fatal(err)
	}
	tr, err := train.NewTrainer(model, o, trainSet, testSet, true, 7, train.Options{Epochs: 2, BatchSize: batch, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.SetCommunicator(comm); err != nil {
		t.Fatal(err)
	}
	return tr
}

// onFakeRanks runs f on size in-process ranks and returns their trainers;
// shared ranks share memory, as MPI ranks on one machine do (the gradients
// are summed in place).
func onFakeRanks(t *testing.T, size int, shared bool, f func(c dist.Communicator) *train.Trainer) []*train.Trainer {
	t.Helper()
	trs := make([]*train.Trainer, size)
	var wg sync.WaitGroup
	for i, c := range dist.FakeRanks(size, 20*time.Second, shared) {
		wg.Go(func() { trs[i] = f(c) })
	}
	wg.Wait()
	return trs
}

func maxRelDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i]))/(1e-3+math.Abs(float64(b[i]))))
	}
	return d
}

// Two and three in-process ranks train to the same weights as one process
// on the same batches, to float32 rounding (the sums over a batch are
// split differently), with SGD and with Adam, whether the gradients are
// all-reduced in buckets or summed in shared memory; the ranks end
// bit-identical to each other, and the train loss agrees.
func TestDistributedEqualsOneProcess(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 200, 50) // 200 = 6 batches of 32 + one of 8
	for _, opt := range []string{"sgd", "adam"} {
		one := distRun(t, trainSet, testSet, opt, 24, "", nil)
		if err := one.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{2, 3, -2} { // -2: two ranks sharing memory
			shared := size < 0
			size = max(size, -size)
			trs := onFakeRanks(t, size, shared, func(c dist.Communicator) *train.Trainer {
				tr := distRun(t, trainSet, testSet, opt, 24, "", c)
				if err := tr.Run(context.Background()); err != nil {
					t.Errorf("%s, rank %d of %d: %v", opt, c.Rank(), size, err)
				}
				return tr
			})
			want := one.Model.Parameters()
			for r, tr := range trs {
				for i, p := range tr.Model.Parameters() {
					if d := maxRelDiff(p.Value.Data(), want[i].Value.Data()); d > 1e-3 {
						t.Errorf("%s, %d ranks, rank %d: %s differs from one process by %.2g (relative)", opt, size, r, p.Name, d)
					}
					if r > 0 && maxRelDiff(p.Value.Data(), trs[0].Model.Parameters()[i].Value.Data()) != 0 {
						t.Errorf("%s, %d ranks: rank %d's %s differs from rank 0's", opt, size, r, p.Name)
					}
				}
				h, w := tr.History(), one.History()
				if len(h) != 2 || math.Abs(h[1].TrainLoss-w[1].TrainLoss) > 1e-4 || h[1].TestAccuracy != w[1].TestAccuracy {
					t.Errorf("%s, %d ranks, rank %d: history %+v, one process %+v", opt, size, r, h, w)
				}
			}
		}
	}
}

// A distributed run stopped and resumed with the same ranks ends with the
// bits of an uninterrupted one; resuming with another number of ranks is
// refused in one line.
func TestDistributedResume(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 192, 50)
	full := onFakeRanks(t, 2, true, func(c dist.Communicator) *train.Trainer {
		tr := distRun(t, trainSet, testSet, "adam", 32, "", c)
		if err := tr.Run(context.Background()); err != nil {
			t.Error(err)
		}
		return tr
	})
	dir := t.TempDir()
	onFakeRanks(t, 2, false, func(c dist.Communicator) *train.Trainer { // cut in buckets, resumed in shared memory: the same bits for 2 ranks
		d := ""
		if c.Rank() == 0 {
			d = dir
		}
		tr := distRun(t, trainSet, testSet, "adam", 32, d, c)
		tr.Options.StopAfterSteps = 8 // mid second epoch
		if err := tr.Run(context.Background()); err != train.ErrInterrupted {
			t.Errorf("rank %d: %v, want ErrInterrupted", c.Rank(), err)
		}
		return tr
	})
	ck, err := train.LoadCheckpoint(dir + "/" + train.CheckpointFile)
	if err != nil {
		t.Fatal(err)
	}
	resumed := onFakeRanks(t, 2, true, func(c dist.Communicator) *train.Trainer {
		tr := distRun(t, trainSet, testSet, "adam", 32, "", c)
		if err := tr.Restore(ck); err != nil {
			t.Fatal(err)
		}
		if err := tr.Run(context.Background()); err != nil {
			t.Error(err)
		}
		return tr
	})
	for i, p := range resumed[0].Model.Parameters() {
		if d := maxRelDiff(p.Value.Data(), full[0].Model.Parameters()[i].Value.Data()); d != 0 {
			t.Errorf("resumed %s differs from the uninterrupted run by %g", p.Name, d)
		}
	}
	for _, size := range []int{1, 3} {
		var errs []string
		var mu sync.Mutex
		onFakeRanks(t, size, false, func(c dist.Communicator) *train.Trainer {
			tr := distRun(t, trainSet, testSet, "adam", 96, "", c)
			err := tr.Restore(ck)
			mu.Lock()
			errs = append(errs, err.Error())
			mu.Unlock()
			return tr
		})
		if !strings.Contains(errs[0], "written by 2 rank(s)") || strings.Contains(errs[0], "\n") {
			t.Errorf("resume with %d ranks: %q", size, errs[0])
		}
	}
}

func TestDistributedBatchCheck(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 64, 10)
	model, _ := models.MLP[float32](tensor.NewRand(3), 784, []int{8}, 10, models.Options{})
	o, _ := optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.1})
	tr, err := train.NewTrainer(model, o, trainSet, testSet, true, 1, train.Options{BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.SetCommunicator(dist.NewFake(3, time.Second)[0]); err == nil || !strings.Contains(err.Error(), "--batch 10") {
		t.Errorf("batch 10 over 3 ranks: %v", err)
	}
}

// stepLog is a StatsSink that keeps what each step reports.
type stepLog struct{ steps []train.StepStats }

func (s *stepLog) WantTape(int) bool { return false }
func (s *stepLog) Observe(st *train.StepStats) {
	c := *st
	c.GradSq = append([]float64(nil), st.GradSq...)
	s.steps = append(s.steps, c)
}
func (s *stepLog) Stepped(*train.StepStats)                              {}
func (s *stepLog) EndEpoch(train.EpochMetrics, []*autograd.Var[float32]) {}

// A distributed run records its statistics through the same path as one
// process: rank 0's sink sees every step with the global batch, its mean
// loss and the averaged gradients' norms, as one process's sink does.
func TestDistributedRecordsStats(t *testing.T) {
	trainSet, testSet := mnistSubset(t, 200, 50)
	one := distRun(t, trainSet, testSet, "sgd", 24, "", nil)
	want := &stepLog{}
	one.Stats = want
	if err := one.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, shared := range []bool{false, true} {
		got := &stepLog{}
		onFakeRanks(t, 2, shared, func(c dist.Communicator) *train.Trainer {
			tr := distRun(t, trainSet, testSet, "sgd", 24, "", c)
			if c.Rank() == 0 {
				tr.Stats = got
			}
			if err := tr.Run(context.Background()); err != nil {
				t.Error(err)
			}
			return tr
		})
		if len(got.steps) != len(want.steps) || len(got.steps) == 0 {
			t.Fatalf("shared memory %v: rank 0 recorded %d steps, one process %d", shared, len(got.steps), len(want.steps))
		}
		for i, g := range got.steps {
			w := want.steps[i]
			if g.Step != w.Step || g.Batch != w.Batch || math.Abs(g.Loss-w.Loss) > 1e-5*(1+math.Abs(w.Loss)) {
				t.Errorf("shared memory %v, step %d: batch %d loss %v, one process: step %d batch %d loss %v", shared, g.Step, g.Batch, g.Loss, w.Step, w.Batch, w.Loss)
			}
			for k := range g.GradSq {
				if math.Abs(g.GradSq[k]-w.GradSq[k]) > 1e-3*w.GradSq[k]+1e-12 {
					t.Errorf("shared memory %v, step %d: Σg² of parameter %d is %v, one process %v", shared, g.Step, k, g.GradSq[k], w.GradSq[k])
					break
				}
			}
		}
	}
}
