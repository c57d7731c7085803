package dist

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/descent-ml/descent/internal/kernel"
)

// SharedMemory is a Communicator whose ranks all run on one machine and
// can map a segment of memory together (dist/mpi: an MPI-3 shared window,
// MPI_Win_allocate_shared). The Reducer then keeps the gradients there and
// sums them by reading the other ranks' buffers directly (Shared.Sum)
// instead of sending them through all-reduces: the same sums, without the
// library's copies, which on a machine whose ranks have a core each are
// core time taken from training. This is the first level of the
// hierarchical all-reduce of NCCL and Horovod; on ranks spread over
// several machines SharedFloats returns nil and the Reducer all-reduces as
// before.
type SharedMemory interface {
	// SharedFloats is collective: every rank calls it with the same n. It
	// returns every rank's n zeroed float32s as this rank maps them, or
	// nil (and no error) when the ranks do not share one machine.
	SharedFloats(n int) (*Shared, error)
}

// Shared is one buffer of float32s per rank, every one of them mapped by
// every rank, and the flags that order the ranks' use of them. Sum, its
// one operation, is collective.
type Shared struct {
	rank    int
	bufs    [][]float32      // every rank's buffer as this rank maps it
	entered []*atomic.Uint64 // per rank: the last Sum it entered
	summed  []*atomic.Uint64 // per rank: the last Sum whose part it has written
	calls   uint64
	part    []float32 // where a chunk of this rank's part is summed
	// Timeout bounds the wait for the other ranks in one Sum (0: for
	// ever); past it Sum fails with ErrAborted.
	Timeout time.Duration
}

// SharedFlagBytes is the room NewShared's flags take at the start of each
// rank's segment: two counters, each on a cache line of its own so that
// one rank's writes do not evict what another spins on.
const SharedFlagBytes = 128

// sumChunk is the number of floats summed at a time: 16 KB, well inside
// the first-level cache, so that the part is read once from the ranks'
// buffers and written from the cache.
const sumChunk = 4096

// NewShared makes rank's view of the segments segs (one per rank, as this
// rank maps them; each SharedFlagBytes of zeroed flags, 8-byte aligned,
// then n float32s). dist/mpi calls it; tests may build one over Go memory.
func NewShared(rank int, segs []unsafe.Pointer, n int) *Shared {
	s := &Shared{rank: rank, part: make([]float32, sumChunk)}
	for _, p := range segs {
		if uintptr(p)%8 != 0 {
			panic("dist: NewShared: a segment is not 8-byte aligned")
		}
		s.entered = append(s.entered, (*atomic.Uint64)(p))
		s.summed = append(s.summed, (*atomic.Uint64)(unsafe.Add(p, 64)))
		s.bufs = append(s.bufs, unsafe.Slice((*float32)(unsafe.Add(p, SharedFlagBytes)), n))
	}
	return s
}

// Floats returns this rank's buffer.
func (s *Shared) Floats() []float32 { return s.bufs[s.rank] }

// Sum replaces every rank's buffer by the element-wise sum of all of
// them, added in rank order (the same bits on every rank and in every run
// with as many ranks). Each rank adds up its own contiguous part (Shard)
// of the buffers and writes the sum into every rank's buffer, so the work
// and the memory traffic are split evenly; the ranks wait for each other
// when they enter (every buffer is final) and when they leave (every part
// is written; no rank reads a buffer its owner may change again).
func (s *Shared) Sum() error {
	if len(s.bufs) < 2 {
		return nil
	}
	s.calls++
	s.entered[s.rank].Store(s.calls)
	if err := s.wait(s.entered, "entering"); err != nil {
		return err
	}
	lo, hi := Shard(len(s.bufs[s.rank]), s.rank, len(s.bufs))
	for c := lo; c < hi; c += sumChunk {
		e := min(c+sumChunk, hi)
		part := s.part[:e-c]
		kernel.Add(part, s.bufs[0][c:e], s.bufs[1][c:e])
		for _, b := range s.bufs[2:] {
			kernel.Add(part, part, b[c:e])
		}
		for _, b := range s.bufs {
			copy(b[c:e], part)
		}
	}
	s.summed[s.rank].Store(s.calls)
	return s.wait(s.summed, "leaving")
}

// wait returns once every rank's flag has reached this call. It spins
// first (the others are usually microseconds away), then yields the
// processor to whatever else is runnable, checking the clock now and then.
func (s *Shared) wait(flags []*atomic.Uint64, where string) error {
	var start time.Time
	for spin := 0; ; spin++ {
		ready := true
		for _, f := range flags {
			if f.Load() < s.calls {
				ready = false
				break
			}
		}
		if ready {
			return nil
		}
		if spin < 1000 {
			continue
		}
		runtime.Gosched() // ranks that are goroutines (NewFakeShared) need this one's P
		osYield()
		if spin%1024 != 0 {
			continue
		}
		if start.IsZero() {
			start = time.Now()
		} else if s.Timeout > 0 && time.Since(start) > s.Timeout {
			return fmt.Errorf("%w: rank %d waited %v for the others %s a shared-memory sum", ErrAborted, s.rank, s.Timeout, where)
		}
	}
}

// osYield gives the thread's processor to another runnable thread, if any:
// ranks may outnumber the cores.
var osYield = func() {}
