package dist

import (
	"fmt"
	"sync"
	"time"
	"unsafe"
)

// Fake is an in-process Communicator: NewFake(n) returns n ranks that
// meet in shared memory, for tests of code that runs one goroutine per
// rank. Reductions add the ranks' buffers in rank order, so results are
// deterministic. A collective that waits longer than Timeout for the other
// ranks fails with ErrAborted, as does every collective after Abort.
type Fake struct {
	rank int
	w    *fakeWorld
}

type fakeWorld struct {
	mu      sync.Mutex
	cond    *sync.Cond
	size    int
	timeout time.Duration
	aborted bool
	code    int
	// The collective under way: the buffers deposited so far, and a
	// generation counter that moves on when all ranks have the result.
	bufs    [][]float32
	results [][]float32
	arrived int
	gen     int
	kind    string
}

// NewFake returns size ranks of one in-process group. Collectives wait at
// most timeout for the others (0: a minute).
func NewFake(size int, timeout time.Duration) []*Fake {
	if timeout <= 0 {
		timeout = time.Minute
	}
	w := &fakeWorld{size: size, timeout: timeout, bufs: make([][]float32, size)}
	w.cond = sync.NewCond(&w.mu)
	ranks := make([]*Fake, size)
	for i := range ranks {
		ranks[i] = &Fake{rank: i, w: w}
	}
	return ranks
}

func (f *Fake) Rank() int { return f.rank }
func (f *Fake) Size() int { return f.w.size }

// Aborted returns the exit code given to Abort, and whether it was called.
func (f *Fake) Aborted() (int, bool) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	return f.w.code, f.w.aborted
}

func (f *Fake) Abort(code int) {
	w := f.w
	w.mu.Lock()
	if !w.aborted {
		w.aborted, w.code = true, code
	}
	w.mu.Unlock()
	w.cond.Broadcast()
}

func (f *Fake) Broadcast(buf []float32, root int) error {
	return f.collective("broadcast", buf, func(all [][]float32) {
		copy(buf, all[root])
	})
}

func (f *Fake) AllReduce(buf []float32, op Op) error {
	return f.collective("all-reduce", buf, func(all [][]float32) {
		// Every rank computes the same sum in the same order, into a
		// scratch copy: the others may still be reading buf.
		out := make([]float32, len(buf))
		for _, b := range all {
			for i, v := range b {
				out[i] += v
			}
		}
		if op == Average {
			for i := range out {
				out[i] /= float32(len(all))
			}
		}
		f.w.results[f.rank] = out
	})
}

func (f *Fake) Barrier() error { return f.collective("barrier", nil, func([][]float32) {}) }

// collective deposits buf, waits for every rank, runs compute (which sees
// all buffers), waits again so that no buffer is overwritten while another
// rank reads it, and then applies the rank's result.
func (f *Fake) collective(kind string, buf []float32, compute func(all [][]float32)) error {
	w := f.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.results == nil {
		w.results = make([][]float32, w.size)
	}
	if err := w.meet(kind, f.rank, buf); err != nil {
		return err
	}
	for i, b := range w.bufs {
		if len(b) != len(buf) {
			return fmt.Errorf("dist: %s: rank %d gave %d elements, rank %d %d", kind, f.rank, len(buf), i, len(b))
		}
	}
	compute(w.bufs)
	if err := w.meet(kind+" (done)", f.rank, buf); err != nil {
		return err
	}
	if r := w.results[f.rank]; r != nil {
		copy(buf, r)
		w.results[f.rank] = nil
	}
	return nil
}

// meet waits until every rank has arrived at the collective kind (with
// w.mu held). It fails when the job was aborted, when ranks call different
// collectives, or after the timeout, which then aborts the job.
func (w *fakeWorld) meet(kind string, rank int, buf []float32) error {
	if w.aborted {
		return ErrAborted
	}
	if w.arrived == 0 {
		w.kind = kind
	} else if w.kind != kind {
		w.aborted, w.code = true, 1
		w.cond.Broadcast()
		return fmt.Errorf("%w: rank %d called %s while others called %s", ErrAborted, rank, kind, w.kind)
	}
	w.bufs[rank] = buf
	w.arrived++
	gen := w.gen
	if w.arrived == w.size {
		w.arrived = 0
		w.gen++
		w.cond.Broadcast()
		return nil
	}
	deadline := time.Now().Add(w.timeout)
	wake := time.AfterFunc(w.timeout, func() {
		w.mu.Lock()
		w.cond.Broadcast()
		w.mu.Unlock()
	})
	defer wake.Stop()
	for w.gen == gen && !w.aborted {
		if !time.Now().Before(deadline) {
			w.aborted, w.code = true, 1
			w.cond.Broadcast()
			return fmt.Errorf("%w: rank %d waited %v in %s for the other ranks", ErrAborted, rank, w.timeout, kind)
		}
		w.cond.Wait()
	}
	if w.gen == gen {
		return ErrAborted
	}
	return nil
}

// FakeShared is a Fake whose ranks also share memory (a SharedMemory), as
// MPI ranks on one machine do: NewFakeShared's ranks make the Reducer sum
// gradients in place.
type FakeShared struct {
	*Fake
	calls int // SharedFloats calls so far
	segs  *fakeSegments
}

type fakeSegments struct {
	mu   sync.Mutex
	sets [][][]uint64 // per call: every rank's segment
}

// NewFakeShared is NewFake with shared memory.
func NewFakeShared(size int, timeout time.Duration) []*FakeShared {
	segs := &fakeSegments{}
	var ranks []*FakeShared
	for _, f := range NewFake(size, timeout) {
		ranks = append(ranks, &FakeShared{Fake: f, segs: segs})
	}
	return ranks
}

// FakeRanks returns size in-process ranks as Communicators: NewFake's, or
// NewFakeShared's when shared is set.
func FakeRanks(size int, timeout time.Duration, shared bool) []Communicator {
	var ranks []Communicator
	if shared {
		for _, c := range NewFakeShared(size, timeout) {
			ranks = append(ranks, c)
		}
	} else {
		for _, c := range NewFake(size, timeout) {
			ranks = append(ranks, c)
		}
	}
	return ranks
}

// SharedFloats is collective: the ranks' k-th calls share segments.
func (f *FakeShared) SharedFloats(n int) (*Shared, error) {
	s := f.segs
	s.mu.Lock()
	if len(s.sets) == f.calls { // the first rank here allocates for all
		set := make([][]uint64, f.w.size)
		for r := range set {
			set[r] = make([]uint64, (SharedFlagBytes+4*n)/8+16)
		}
		s.sets = append(s.sets, set)
	}
	segs := make([]unsafe.Pointer, f.w.size)
	for r, m := range s.sets[f.calls] {
		p := unsafe.Pointer(&m[0])
		segs[r] = unsafe.Add(p, (64-uintptr(p)%64)%64) // on a cache line, as MPI's are
	}
	s.mu.Unlock()
	f.calls++
	sh := NewShared(f.rank, segs, n)
	sh.Timeout = f.w.timeout
	return sh, f.Barrier()
}
