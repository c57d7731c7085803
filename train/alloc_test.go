package train

import (
	"math"
	"runtime"
	"testing"
	"unsafe"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/dist"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/schedule"
	"github.com/descent-ml/descent/tensor"
)

// randomImages returns n random 28×28 images with random labels: the
// allocation tests need MNIST's shapes, not its contents.
func randomImages(t *testing.T, n int, seed uint64) data.Dataset {
	rng := tensor.NewRand(seed)
	px := make([]float32, n*28*28)
	for i := range px {
		px[i] = rng.Float32()
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	ds, err := data.NewImages(px, labels, 28, 28, 10)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestWarmStepAllocatesNothing: the training step of Trainer (schedule,
// forward, cross-entropy, accuracy count, zero grad, backward, optional
// clipping, optimizer step) of the MLP and of the CNN, with SGD-momentum
// and with Adam, must not touch the heap once warm: neither on one thread
// (AllocsPerRun runs at GOMAXPROCS 1) nor with the kernels' and the
// optimizers' worker goroutines.
func TestWarmStepAllocatesNothing(t *testing.T) {
	for _, c := range []struct {
		model, opt string
		batch      int
		clip       float64
	}{
		{"mlp", "sgd", 32, 0},
		{"mlp", "adam", 32, 0},
		{"mlp", "sgd", 32, 1},
		{"cnn", "sgd", 4, 0},
		{"cnn", "adam", 4, 0},
	} {
		name := c.model + "/" + c.opt
		if c.clip > 0 {
			name += "/clip"
		}
		t.Run(name, func(t *testing.T) {
			ds := randomImages(t, 2*c.batch, 1)
			model, err := models.New[float32](c.model, tensor.NewRand(1), models.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var opt optim.Optimizer[float32]
			if c.opt == "sgd" {
				opt, err = optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.05, Momentum: 0.9, Nesterov: true})
			} else {
				opt, err = optim.NewAdam(model.Parameters(), optim.AdamDefaults())
			}
			if err != nil {
				t.Fatal(err)
			}
			tr, err := NewTrainer(model, opt, ds, ds, c.model == "mlp", 1, Options{BatchSize: c.batch, ClipGradNorm: c.clip})
			if err != nil {
				t.Fatal(err)
			}
			sched := schedule.OneCycleDefaults(0.05, 1000)
			tr.Schedule = &sched
			step := warmStep(t, tr)
			if n := testing.AllocsPerRun(5, step); n != 0 {
				t.Fatalf("a warm step allocated %v times on one thread", n)
			}
			if runtime.GOMAXPROCS(0) < 2 {
				return
			}
			// With the worker pool (internal/kernel, shared by GEMM, the
			// optimizer steps and the convolution loops), hand-offs poll
			// atomics and sleep on a channel only when idle; the Go runtime
			// may allocate a wait record (sudog) the first times a worker
			// sleeps, and buffers dropped by a garbage collection are made
			// again. So: at most a few allocations in the whole run, however
			// many steps, plus a few per GC cycle. Measured: 0-7 in 200 steps
			// on a quiet machine, 13 once under a load of 4 (workers that
			// sleep more often); an allocation per step would be 200 (40
			// with -short), far past the limit.
			for range 5 {
				step()
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			before, gcs := ms.Mallocs, ms.NumGC
			steps := 200
			if testing.Short() {
				steps = 40
			}
			for range steps {
				step()
			}
			runtime.ReadMemStats(&ms)
			n, cycles := ms.Mallocs-before, ms.NumGC-gcs
			t.Logf("%d warm steps on %d threads: %d allocations, %d GC cycles", steps, runtime.GOMAXPROCS(0), n, cycles)
			if n > 10+uint64(steps/20)+8*uint64(cycles) {
				t.Fatalf("%d warm steps on %d threads allocated %d times (%d GC cycles)", steps, runtime.GOMAXPROCS(0), n, cycles)
			}
		})
	}
}

// silentPair is rank 0 of two whose collectives return at once, leaving
// the buffers as they are: what is left to measure is the rank's own step.
type silentPair struct{}

func (silentPair) Rank() int                                     { return 0 }
func (silentPair) Size() int                                     { return 2 }
func (silentPair) Broadcast([]float32, int) error                { return nil }
func (silentPair) AllReduce([]float32, dist.Op) error            { return nil }
func (silentPair) Barrier() error                                { return nil }
func (silentPair) Abort(int)                                     {}
func (silentPair) StartAllReduce(_ []float32, done chan<- error) { done <- nil }

// silentSharedPair is a silentPair whose ranks share memory, with rank 1
// always already there: the gradients are summed in place (with rank 1's
// zeros) and nothing waits.
type silentSharedPair struct{ silentPair }

func (silentSharedPair) SharedFloats(n int) (*dist.Shared, error) {
	var segs []unsafe.Pointer
	for r := range 2 {
		m := make([]uint64, (dist.SharedFlagBytes+4*n)/8+1)
		if r == 1 {
			m[0], m[8] = math.MaxUint64, math.MaxUint64 // its flags: entered and summed every call
		}
		segs = append(segs, unsafe.Pointer(&m[0]))
	}
	return dist.NewShared(0, segs, n), nil
}

// TestWarmDistributedStepAllocatesNothing: one rank's step (its share of
// the batch scaling the loss, backward into the buckets, which are the
// gradients, the checks and the optimizer step) must not touch the heap
// once warm either, whether the gradients are all-reduced in buckets or
// summed in place in shared memory.
func TestWarmDistributedStepAllocatesNothing(t *testing.T) {
	for _, comm := range []dist.Communicator{silentPair{}, silentSharedPair{}} {
		warmDistributedStep(t, comm)
	}
}

func warmDistributedStep(t *testing.T, comm dist.Communicator) {
	tr := sgdMLPTrainer(t)
	if err := tr.SetCommunicator(comm); err != nil {
		t.Fatal(err)
	}
	_, shared := comm.(dist.SharedMemory)
	if tr.SetSharedSum(true) != shared {
		t.Fatalf("%T: summing in place is %v", comm, !shared)
	}
	step := warmStep(t, tr)
	if n := testing.AllocsPerRun(5, step); n != 0 {
		t.Fatalf("%T: a warm distributed step allocated %v times on one thread", comm, n)
	}
}

// sgdMLPTrainer returns a trainer of the MLP with SGD and momentum on 64
// random images in batches of 32.
func sgdMLPTrainer(t *testing.T) *Trainer {
	t.Helper()
	ds := randomImages(t, 64, 1)
	model, err := models.New[float32]("mlp", tensor.NewRand(1), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.05, Momentum: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(model, opt, ds, ds, true, 1, Options{BatchSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// warmStep returns a step on tr's first batch, taken three times already
// so that every buffer of a step exists.
func warmStep(t *testing.T, tr *Trainer) func() {
	t.Helper()
	b := tr.loader.Batch(0, 0)
	step := func() {
		if err := tr.step(b.X, b.Labels, b.Index); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		step()
	}
	return step
}
