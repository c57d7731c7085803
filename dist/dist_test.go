package dist_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/dist"
	"github.com/descent-ml/descent/tensor"
)

// onRanks runs f on every rank of a fake group, one goroutine each.
func onRanks[C dist.Communicator](t *testing.T, size int, shared bool, f func(c C) error) []error {
	t.Helper()
	errs := make([]error, size)
	var wg sync.WaitGroup
	for i, c := range dist.FakeRanks(size, 5*time.Second, shared) {
		wg.Go(func() { errs[i] = f(c.(C)) })
	}
	wg.Wait()
	return errs
}

func TestFakeCollectives(t *testing.T) {
	for _, size := range []int{1, 2, 3, 5} {
		errs := onRanks(t, size, false, func(c *dist.Fake) error {
			r := float32(c.Rank())
			sum := []float32{r, 1, -r}
			if err := c.AllReduce(sum, dist.Sum); err != nil {
				return err
			}
			n := float32(size)
			if want := []float32{n * (n - 1) / 2, n, -n * (n - 1) / 2}; sum[0] != want[0] || sum[1] != want[1] || sum[2] != want[2] {
				t.Errorf("size %d rank %d: sum %v, want %v", size, c.Rank(), sum, want)
			}
			avg := []float32{r}
			if err := c.AllReduce(avg, dist.Average); err != nil {
				return err
			}
			if want := (n - 1) / 2; avg[0] != want {
				t.Errorf("size %d rank %d: average %v, want %v", size, c.Rank(), avg[0], want)
			}
			b := []float32{r + 7, r}
			if err := c.Broadcast(b, size-1); err != nil {
				return err
			}
			if b[0] != n+6 || b[1] != n-1 {
				t.Errorf("size %d rank %d: broadcast got %v", size, c.Rank(), b)
			}
			return c.Barrier()
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("size %d rank %d: %v", size, i, err)
			}
		}
	}
}

// A rank that never arrives makes the others fail after the timeout
// instead of hanging; a rank that aborts makes them fail at once.
func TestFakeLostRank(t *testing.T) {
	ranks := dist.NewFake(3, 100*time.Millisecond)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() { errs[i] = ranks[i].AllReduce([]float32{1}, dist.Sum) })
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, dist.ErrAborted) {
			t.Errorf("rank %d: got %v, want ErrAborted", i, err)
		}
	}
	ranks = dist.NewFake(2, time.Minute)
	start := time.Now()
	go func() { time.Sleep(20 * time.Millisecond); ranks[1].Abort(3) }()
	if err := ranks[0].Barrier(); !errors.Is(err, dist.ErrAborted) || time.Since(start) > 10*time.Second {
		t.Errorf("after Abort: got %v after %v", err, time.Since(start))
	}
	if code, ok := ranks[0].Aborted(); !ok || code != 3 {
		t.Errorf("Aborted() = %d, %v; want 3, true", code, ok)
	}
}

func TestShardAndCheckBatch(t *testing.T) {
	for _, tc := range []struct{ n, size int }{{128, 2}, {10, 3}, {2, 4}, {7, 7}, {0, 2}} {
		next := 0
		for r := range tc.size {
			lo, hi := dist.Shard(tc.n, r, tc.size)
			if lo != next || hi < lo || hi-lo > (tc.n+tc.size-1)/tc.size || hi-lo < tc.n/tc.size {
				t.Errorf("Shard(%d, %d, %d) = [%d, %d)", tc.n, r, tc.size, lo, hi)
			}
			next = hi
		}
		if next != tc.n {
			t.Errorf("Shard(%d, ·, %d) covers %d items", tc.n, tc.size, next)
		}
	}
	for _, tc := range []struct {
		batch, size int
		ok          bool
	}{{128, 2, true}, {128, 3, false}, {1, 2, false}, {4, 4, true}} {
		if err := dist.CheckBatch(tc.batch, tc.size); (err == nil) != tc.ok {
			t.Errorf("CheckBatch(%d, %d) = %v", tc.batch, tc.size, err)
		}
	}
}

func randN(rng *rand.Rand, shape ...int) *tensor.Tensor[float32] {
	x := tensor.New[float32](shape...)
	x.RandN(rng, 0, 1)
	return x
}

// model is a two-layer network whose gradients land in three buckets.
func model(seed uint64) []*autograd.Var[float32] {
	rng := tensor.NewRand(seed)
	return []*autograd.Var[float32]{
		autograd.NewParam(randN(rng, 6, 5), "0.weight"),
		autograd.NewParam(randN(rng, 6), "0.bias"),
		autograd.NewParam(randN(rng, 3, 6), "2.weight"),
		autograd.NewParam(randN(rng, 3), "2.bias"),
	}
}

// gradients runs forward and backward on rows [lo, hi) of x.
func gradients(g *autograd.Graph[float32], ps []*autograd.Var[float32], x *tensor.Tensor[float32], labels []int, lo, hi int) {
	for _, p := range ps {
		p.ZeroGrad()
	}
	xs := tensor.FromSlice(x.Data()[lo*5:hi*5], hi-lo, 5)
	h := g.ReLU(g.Linear(autograd.NewConstant(xs), ps[0], ps[1]))
	g.Backward(g.CrossEntropy(g.Linear(h, ps[2], ps[3]), labels[lo:hi]))
}

// starter is a Fake that starts all-reduces on a queue served in order,
// as dist/mpi's MPI thread does.
type starter struct {
	*dist.Fake
	queue chan func()
}

func newStarter(f *dist.Fake) *starter {
	s := &starter{Fake: f, queue: make(chan func(), 64)}
	go func() {
		for f := range s.queue {
			f()
		}
	}()
	return s
}

func (s *starter) StartAllReduce(buf []float32, done chan<- error) {
	s.queue <- func() { done <- s.AllReduce(buf, dist.Sum) }
}

// The bucketed average of the ranks' gradients equals the gradient of the
// whole batch on one process, to float32 rounding, for equal and unequal
// shards; buckets start during backward.
func TestReducerEqualsOneProcess(t *testing.T) {
	const batch = 12
	rng := tensor.NewRand(9)
	x := randN(rng, batch, 5)
	labels := make([]int, batch)
	for i := range labels {
		labels[i] = i % 3
	}
	want := model(1)
	gradients(autograd.New[float32](), want, x, labels, 0, batch)
	for _, tc := range []struct {
		size    int
		starter bool // the communicator starts all-reduces itself (dist.Starter, as dist/mpi)
		regroup int  // bucket bytes after a first step
		shared  int  // 1: the ranks share memory (summed in place); 2: they do, but the buckets are all-reduced
	}{{2, false, 0, 0}, {3, false, 0, 0}, {5, false, 0, 0}, {2, true, 0, 0}, {3, true, 1 << 40, 0}, {2, false, 40, 0},
		{2, false, 0, 1}, {3, false, 0, 1}, {5, false, 40, 1}, {3, false, 0, 2}} {
		size := tc.size
		errs := onRanks(t, size, tc.shared > 0, func(c dist.Communicator) error {
			if tc.starter {
				s := newStarter(c.(*dist.Fake))
				defer close(s.queue)
				c = s
			}
			ps := model(1)
			r, err := dist.NewReducer(c, ps, 4*20, 1) // 80 bytes: several buckets
			if err != nil {
				return err
			}
			defer r.Close()
			if inPlace := r.SetShared(tc.shared == 1); inPlace != (tc.shared == 1) {
				t.Errorf("size %d, shared memory %d: summing in place is %v", size, tc.shared, inPlace)
			}
			if len(r.Buckets()) < 2 {
				t.Errorf("buckets %v: want several", r.Buckets())
			}
			if tc.regroup > 0 { // a step in the first grouping, then the rest in the new one
				r.Begin(0)
				r.Stats[0] = 7
				if err := r.Finish(); err != nil || r.Stats[0] != float32(7*size) {
					t.Errorf("size %d: stats %v after the first step (error %v)", size, r.Stats, err)
				}
				r.Regroup(tc.regroup)
				for _, p := range ps {
					p.ZeroGrad()
				}
			}
			lo, hi := dist.Shard(batch, c.Rank(), size)
			g := autograd.New[float32]()
			early := 0
			g.GradReady = func(v *autograd.Var[float32]) { early++; r.Ready(v) }
			r.Begin(float32(hi-lo) / batch)
			r.Stats[0] = float32(hi - lo)
			gradients(g, ps, x, labels, lo, hi)
			if err := r.Finish(); err != nil {
				return err
			}
			if early != len(ps) || r.Stats[0] != batch {
				t.Errorf("size %d: %d gradients reported ready, stats %v", size, early, r.Stats)
			}
			for i, p := range ps {
				for k, v := range p.Grad.Data() {
					if w := want[i].Grad.Data()[k]; math.Abs(float64(v-w)) > 1e-6*(1+math.Abs(float64(w))) {
						t.Errorf("size %d rank %d: %s grad[%d] = %v, one process %v", size, c.Rank(), p.Name, k, v, w)
						break
					}
				}
			}
			return nil
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("size %d rank %d: %v", size, i, err)
			}
		}
	}
}

// noComm is a group of two whose collectives do nothing: what is left to
// measure is the Reducer's own work.
type noComm struct{ dist.Fake }

func (noComm) Rank() int                                     { return 0 }
func (noComm) Size() int                                     { return 2 }
func (noComm) AllReduce([]float32, dist.Op) error            { return nil }
func (noComm) StartAllReduce(_ []float32, done chan<- error) { done <- nil }

// A warm step allocates nothing, and regrouping the buckets reuses their
// buffer instead of allocating the gradients' size again.
func TestReducerAllocations(t *testing.T) {
	var ps []*autograd.Var[float32]
	for i := range 3 {
		ps = append(ps, autograd.NewParam(tensor.New[float32](128, 128), fmt.Sprint("w", i)))
	}
	r, _ := dist.NewReducer(&noComm{}, ps, 4*128*128, 2) // a bucket per parameter
	defer r.Close()
	step := func() {
		r.Begin(0.5)
		r.Stats[0] = 1
		for i := len(ps) - 1; i >= 0; i-- {
			r.Ready(ps[i])
		}
		if err := r.Finish(); err != nil {
			t.Fatal(err)
		}
	}
	step()
	if n := testing.AllocsPerRun(20, step); n != 0 {
		t.Errorf("a warm step allocates %v times, want 0", n)
	}
	grads := 0
	for _, p := range ps {
		grads += p.Value.Len()
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 10 {
		r.Regroup(1 << 40)
		r.Regroup(4 * 128 * 128)
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got >= uint64(4*grads) {
		t.Errorf("20 regroupings allocated %d bytes, more than the gradients' %d bytes", got, 4*grads)
	}
	if n := len(r.Buckets()); n != 3 {
		t.Errorf("%d buckets after regrouping, want 3", n)
	}
}

// The parameters' gradients are views of the buckets: NewReducer keeps
// their values, a gradient written by backward is the bucket's content
// (what is summed is what Finish leaves in Grad, with no copy), and each
// starts on a 64-byte cache line whatever the sizes before it.
func TestReducerGradientsAreBucketViews(t *testing.T) {
	var ps []*autograd.Var[float32]
	for i, n := range []int{7, 33, 1, 100} {
		p := autograd.NewParam(tensor.New[float32](n), fmt.Sprint("p", i))
		p.Grad = tensor.New[float32](n)
		for k := range p.Grad.Data() {
			p.Grad.Data()[k] = float32(10*i + k)
		}
		ps = append(ps, p)
	}
	r, _ := dist.NewReducer(&noComm{}, ps, 64, 1)
	defer r.Close()
	for i, p := range ps {
		g := p.Grad.Data()
		if addr := uintptr(unsafe.Pointer(&g[0])); addr%64 != 0 {
			t.Errorf("%s: gradient at %#x, not on a 64-byte boundary", p.Name, addr)
		}
		for k, v := range g {
			if v != float32(10*i+k) {
				t.Fatalf("%s: grad[%d] = %v after NewReducer, was %v", p.Name, k, v, 10*i+k)
			}
		}
	}
	// A communicator that doubles what it reduces shows which memory it
	// was handed: the gradients themselves.
	r.Close()
	r, _ = dist.NewReducer(&doubler{}, ps, 64, 1)
	defer r.Close()
	r.Begin(1)
	for i := len(ps) - 1; i >= 0; i-- {
		r.Ready(ps[i])
	}
	if err := r.Finish(); err != nil {
		t.Fatal(err)
	}
	for i, p := range ps {
		for k, v := range p.Grad.Data() {
			if v != float32(2*(10*i+k)) {
				t.Fatalf("%s: grad[%d] = %v after Finish, want the reduced %v", p.Name, k, v, 2*(10*i+k))
			}
		}
	}
	if len(r.Buckets()) < 2 {
		t.Errorf("buckets %v: want several", r.Buckets())
	}
}

// doubler is noComm whose all-reduce doubles its buffer in place.
type doubler struct{ noComm }

func (doubler) AllReduce(buf []float32, _ dist.Op) error {
	for i := range buf {
		buf[i] *= 2
	}
	return nil
}

func (d doubler) StartAllReduce(buf []float32, done chan<- error) { done <- d.AllReduce(buf, dist.Sum) }
