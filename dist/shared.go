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
// every rank, and the flags that order the ranks' use of them. A sum is
// collective: Begin, then Ready for consecutive ranges of the buffer as
// they become final on this rank (the same ranges on every rank), then
// Finish; Sum is all three for the whole buffer.
//
// Each range is summed as soon as every rank has declared it ready: during
// a later Ready when the others were behind, at the latest in Finish. So
// the buckets of a backward pass are summed while it goes on, as DDP's
// all-reduces are, interleaved with it on the rank's own thread (each rank
// has a core: a thread of the sum's own would only take turns with
// backward on it). Each rank adds up its own contiguous part (Shard) of
// the range over all buffers, in rank order (the same bits on every rank
// and in every run with as many ranks), and writes the sum into every
// rank's buffer: the work and the memory traffic are split evenly, and
// nothing is copied first.
type Shared struct {
	rank int
	bufs [][]float32 // every rank's buffer as this rank maps it
	// Per rank, progress counters: call*maxRanges + the ranges of this
	// call it has declared ready (entered) and summed its part of
	// (summed). Ranges come in order, so one counter says which.
	entered, summed []*atomic.Uint64
	calls           uint64
	ranges          [][2]int // this call's ranges, in order
	done            int      // ranges whose part this rank has summed
	part            []float32
	// Timeout bounds the wait for the other ranks in Finish (0: for
	// ever); past it Finish fails with ErrAborted.
	Timeout time.Duration
}

// maxRanges bounds the ranges of one sum, so that a counter can say both
// which sum and which range.
const maxRanges = 1 << 20

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
	s := &Shared{rank: rank, part: make([]float32, sumChunk), ranges: make([][2]int, 0, 64)}
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

// Sum replaces every rank's buffer by the element-wise sum of all of them
// (Begin, Ready of the whole buffer, Finish).
func (s *Shared) Sum() error {
	s.Begin()
	s.Ready(0, len(s.bufs[s.rank]))
	return s.Finish()
}

// Begin starts a sum.
func (s *Shared) Begin() {
	s.calls++
	s.ranges = s.ranges[:0]
	s.done = 0
}

// Ready declares [lo, hi) of this rank's buffer final (the range after
// the last one declared; every rank declares the same), and sums the
// ranges that every rank has declared, in order, until one is missing.
func (s *Shared) Ready(lo, hi int) {
	if len(s.ranges) == maxRanges-1 {
		panic("dist: Shared.Ready: more ranges in one sum than it can count")
	}
	s.ranges = append(s.ranges, [2]int{lo, hi})
	s.entered[s.rank].Store(s.mark(len(s.ranges)))
	for s.done < len(s.ranges) && s.all(s.entered, s.mark(s.done+1)) {
		s.sumPart(s.ranges[s.done])
	}
}

// Finish sums the ranges not summed yet, as soon as every rank has them,
// and returns when every rank has written its part of every range: then
// every buffer holds the sums, and no rank reads a buffer its owner may
// change again.
func (s *Shared) Finish() error {
	if len(s.bufs) < 2 {
		return nil
	}
	for s.done < len(s.ranges) {
		if err := s.wait(s.entered, s.mark(s.done+1), "for the others' gradients"); err != nil {
			return err
		}
		s.sumPart(s.ranges[s.done])
	}
	return s.wait(s.summed, s.mark(len(s.ranges)), "for the others' parts of the sum")
}

// mark is the counter value of this call's first k ranges.
func (s *Shared) mark(k int) uint64 { return s.calls*maxRanges + uint64(k) }

// sumPart adds up this rank's part of range r over every buffer and writes
// it into every buffer.
func (s *Shared) sumPart(r [2]int) {
	n := len(s.bufs)
	if n >= 2 {
		a, b := Shard(r[1]-r[0], s.rank, n)
		for c := r[0] + a; c < r[0]+b; c += sumChunk {
			e := min(c+sumChunk, r[0]+b)
			part := s.part[:e-c]
			kernel.Add(part, s.bufs[0][c:e], s.bufs[1][c:e])
			for _, buf := range s.bufs[2:] {
				kernel.Add(part, part, buf[c:e])
			}
			for _, buf := range s.bufs {
				copy(buf[c:e], part)
			}
		}
	}
	s.done++
	s.summed[s.rank].Store(s.mark(s.done))
}

// all reports whether every rank's counter has reached mark.
func (s *Shared) all(flags []*atomic.Uint64, mark uint64) bool {
	for _, f := range flags {
		if f.Load() < mark {
			return false
		}
	}
	return true
}

// wait returns once every rank's counter has reached mark. It spins first
// (the others are usually microseconds away), then yields the processor to
// whatever else is runnable, checking the clock now and then.
func (s *Shared) wait(flags []*atomic.Uint64, mark uint64, what string) error {
	var start time.Time
	for spin := 0; !s.all(flags, mark); spin++ {
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
			return fmt.Errorf("%w: rank %d waited %v %s in a shared-memory sum", ErrAborted, s.rank, s.Timeout, what)
		}
	}
	return nil
}

// osYield gives the thread's processor to another runnable thread, if any:
// ranks may outnumber the cores.
var osYield = func() {}
