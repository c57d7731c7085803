//go:build mpi

package mpi

/*
#cgo pkg-config: ompi-c
#include <mpi.h>

// The handles (MPI_COMM_WORLD, MPI_FLOAT, ...) are macros over Open MPI's
// globals, which cgo cannot name: small wrappers take them here.
static int d_init(int *rank, int *size) {
	int provided, err;
	err = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
	if (err != MPI_SUCCESS) return err;
	err = MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	if (err != MPI_SUCCESS) return err;
	err = MPI_Comm_rank(MPI_COMM_WORLD, rank);
	if (err != MPI_SUCCESS) return err;
	return MPI_Comm_size(MPI_COMM_WORLD, size);
}
static int d_bcast(float *buf, int n, int root) {
	return MPI_Bcast(buf, n, MPI_FLOAT, root, MPI_COMM_WORLD);
}
static int d_allreduce_sum(float *buf, int n) {
	return MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}
static int d_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

// d_shared allocates bytes of a window shared by the ranks of this
// machine, when they are all the ranks of the job; *local is then the
// number of ranks (otherwise fewer, and nothing is allocated).
static int d_shared(long bytes, MPI_Comm *node, MPI_Win *win, int *local) {
	int err, world;
	void *base;
	err = MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, node);
	if (err != MPI_SUCCESS) return err;
	err = MPI_Comm_size(*node, local);
	if (err == MPI_SUCCESS) err = MPI_Comm_size(MPI_COMM_WORLD, &world);
	if (err != MPI_SUCCESS || *local != world) {
		MPI_Comm_free(node);
		return err;
	}
	err = MPI_Comm_set_errhandler(*node, MPI_ERRORS_RETURN);
	if (err != MPI_SUCCESS) return err;
	return MPI_Win_allocate_shared((MPI_Aint)bytes, 1, MPI_INFO_NULL, *node, &base, win);
}
// d_shared_base is where rank's segment of win is in this process.
static int d_shared_base(MPI_Win win, int rank, void **base) {
	MPI_Aint size;
	int unit;
	return MPI_Win_shared_query(win, rank, &size, &unit, base);
}
static int d_shared_free(MPI_Win *win, MPI_Comm *node) {
	int err = MPI_Win_free(win);
	if (err != MPI_SUCCESS) return err;
	return MPI_Comm_free(node);
}
static void d_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
static int d_finalize(void) { return MPI_Finalize(); }
static void d_error_string(int code, char *s) {
	int n = 0;
	if (MPI_Error_string(code, s, &n) != MPI_SUCCESS) n = 0;
	s[n] = 0;
}
*/
import "C"

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/descent-ml/descent/dist"
)

// Comm is MPI_COMM_WORLD as a dist.Communicator.
type Comm struct {
	rank, size int
	// Timeout bounds the time one MPI call may take; past it the process
	// prints why and exits with status 1. Zero waits forever. Set it
	// before the first call.
	Timeout time.Duration
	calls   chan call
	replies chan C.int
	watch   sync.Once
	since   atomic.Int64 // when the MPI call in progress began (Unix ns), 0 if none
	current atomic.Value // its name (a string)
	windows []window     // shared windows, freed by Close
}

// window is a shared window (MPI_Win_allocate_shared) and the communicator
// of its machine's ranks.
type window struct {
	win  C.MPI_Win
	node C.MPI_Comm
}

var (
	_ dist.Communicator = (*Comm)(nil)
	_ dist.Starter      = (*Comm)(nil)
	_ dist.SharedMemory = (*Comm)(nil)
)

// call is one MPI call for the goroutine that owns the MPI thread.
type call struct {
	kind    int // one of the call kinds below
	buf     *C.float
	n, root int
	code    int
	what    string
	done    chan<- error // for a started all-reduce: where its error goes
	fn      func() C.int // callFunc: MPI calls of its own
}

// queue is the room for calls started and not yet run: the Reducer starts
// one per gradient bucket, and starting must not wait for the MPI thread.
const queue = 64

const (
	callBcast = iota
	callAllReduce
	callBarrier
	callAbort
	callFinalize
	callFunc
)

// Init initializes MPI (MPI_Init_thread with MPI_THREAD_FUNNELED) on a new
// goroutine locked to its OS thread, which then makes every MPI call of
// the process. Run outside mpirun, it is a job of one rank.
func Init() (*Comm, error) {
	c := &Comm{calls: make(chan call, queue), replies: make(chan C.int)}
	started := make(chan C.int)
	go func() {
		runtime.LockOSThread() // MPI's calls must all come from this thread
		var rank, size C.int
		err := C.d_init(&rank, &size)
		c.rank, c.size = int(rank), int(size)
		started <- err
		if err != C.MPI_SUCCESS {
			return
		}
		c.serve()
	}()
	if err := <-started; err != C.MPI_SUCCESS {
		return nil, fmt.Errorf("mpi: MPI_Init_thread: %s", errorString(err))
	}
	return c, nil
}

// Open is Init with Timeout set, returned as the dist.Closer that
// dist.Join takes.
func Open(timeout time.Duration) (dist.Closer, error) {
	c, err := Init()
	if err != nil {
		return nil, err
	}
	c.Timeout = timeout
	return c, nil
}

func (c *Comm) serve() {
	for k := range c.calls {
		var err C.int
		c.current.Store(k.what)
		c.since.Store(time.Now().UnixNano())
		switch k.kind {
		case callBcast:
			err = C.d_bcast(k.buf, C.int(k.n), C.int(k.root))
		case callAllReduce:
			err = C.d_allreduce_sum(k.buf, C.int(k.n))
		case callBarrier:
			err = C.d_barrier()
		case callFunc:
			err = k.fn()
		case callAbort:
			C.d_abort(C.int(k.code))
		case callFinalize:
			err = C.d_finalize()
			c.since.Store(0)
			c.replies <- err
			return
		}
		c.since.Store(0)
		if k.done != nil {
			k.done <- c.check(err, k.what)
			continue
		}
		c.replies <- err
	}
}

// watchdog ends the process when one MPI call has taken longer than
// Timeout: the MPI thread is stuck inside the library, where it cannot be
// interrupted (another rank died or hangs); mpirun then ends the others.
func (c *Comm) watchdog() {
	tick := time.NewTicker(min(time.Second, c.Timeout/4+time.Millisecond))
	defer tick.Stop()
	for range tick.C {
		if s := c.since.Load(); s != 0 && time.Since(time.Unix(0, s)) > c.Timeout {
			fmt.Fprintf(os.Stderr, "descent: rank %d waited more than %v in %s: another rank died or hangs; exiting\n", c.rank, c.Timeout, c.current.Load())
			os.Exit(1)
		}
	}
}

// startWatch starts the watchdog on the first call, if Timeout is set.
func (c *Comm) startWatch() {
	c.watch.Do(func() {
		if c.Timeout > 0 {
			go c.watchdog()
		}
	})
}

func (c *Comm) check(err C.int, what string) error {
	if err != C.MPI_SUCCESS {
		return fmt.Errorf("mpi: rank %d: %s: %s", c.rank, what, errorString(err))
	}
	return nil
}

// Rank is MPI_Comm_rank of MPI_COMM_WORLD.
func (c *Comm) Rank() int { return c.rank }

// Size is MPI_Comm_size of MPI_COMM_WORLD.
func (c *Comm) Size() int { return c.size }

// do runs k on the MPI thread, after the calls started before it, and
// waits for it.
func (c *Comm) do(k call) error {
	c.startWatch()
	c.calls <- k
	return c.check(<-c.replies, k.what)
}

func ptr(buf []float32) *C.float {
	if len(buf) == 0 {
		return nil
	}
	return (*C.float)(unsafe.Pointer(&buf[0]))
}

func checkLen(n int) {
	if n > math.MaxInt32 {
		panic(fmt.Sprintf("mpi: %d elements in one call, more than MPI's int count allows", n))
	}
}

// Broadcast is MPI_Bcast of float32s from root.
func (c *Comm) Broadcast(buf []float32, root int) error {
	checkLen(len(buf))
	return c.do(call{kind: callBcast, buf: ptr(buf), n: len(buf), root: root, what: "MPI_Bcast"})
}

// AllReduce is MPI_Allreduce in place of float32s with MPI_SUM; Average
// divides the sum by the number of ranks afterwards.
func (c *Comm) AllReduce(buf []float32, op dist.Op) error {
	checkLen(len(buf))
	if err := c.do(call{kind: callAllReduce, buf: ptr(buf), n: len(buf), what: "MPI_Allreduce"}); err != nil {
		return err
	}
	if op == dist.Average {
		n := float32(c.size)
		for i := range buf {
			buf[i] /= n
		}
	}
	return nil
}

// StartAllReduce queues MPI_Allreduce in place of float32s with MPI_SUM
// for the MPI thread and returns at once (unless 64 calls are already
// queued); the error is sent on done when buf holds the sum.
func (c *Comm) StartAllReduce(buf []float32, done chan<- error) {
	checkLen(len(buf))
	c.startWatch()
	c.calls <- call{kind: callAllReduce, buf: ptr(buf), n: len(buf), what: "MPI_Allreduce", done: done}
}

// SharedFloats maps n float32s per rank, zeroed, in a window that every
// rank of the job can address (MPI_Win_allocate_shared on the
// communicator of MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)), and returns
// them with this rank's view of all of them; nil, and no error, when the
// ranks are on more than one machine. It is collective. Close frees the
// window. The ranks order their accesses with atomic flags in the window
// (dist.Shared.Sum): on x86-64 and arm64 these order the plain loads and
// stores around them as MPI_Win_sync would (the window is MPI's unified
// memory model, one copy).
func (c *Comm) SharedFloats(n int) (*dist.Shared, error) {
	// Segments a whole number of pages long keep every rank's on a page
	// boundary (they are contiguous), so the floats after the flags are
	// cache-line aligned.
	bytes := (dist.SharedFlagBytes + 4*n + 4095) &^ 4095
	var w window
	var local C.int
	err := c.do(call{kind: callFunc, what: "MPI_Win_allocate_shared", fn: func() C.int {
		return C.d_shared(C.long(bytes), &w.node, &w.win, &local)
	}})
	if err != nil || int(local) != c.size {
		return nil, err
	}
	c.windows = append(c.windows, w)
	segs := make([]unsafe.Pointer, c.size)
	err = c.do(call{kind: callFunc, what: "MPI_Win_shared_query", fn: func() C.int {
		for r := range segs {
			if err := C.d_shared_base(w.win, C.int(r), &segs[r]); err != C.MPI_SUCCESS {
				return err
			}
		}
		return C.MPI_SUCCESS
	}})
	if err != nil {
		return nil, err
	}
	clear(unsafe.Slice((*byte)(segs[c.rank]), bytes)) // MPI does not zero it
	if err := c.Barrier(); err != nil {               // no rank reads a flag before its owner zeroed it
		return nil, err
	}
	s := dist.NewShared(c.rank, segs, n)
	s.Timeout = c.Timeout
	return s, nil
}

// Barrier is MPI_Barrier.
func (c *Comm) Barrier() error { return c.do(call{kind: callBarrier, what: "MPI_Barrier"}) }

// Abort is MPI_Abort: it ends every rank of the job with code.
func (c *Comm) Abort(code int) {
	c.calls <- call{kind: callAbort, code: code}
	<-c.replies
	os.Exit(code) // MPI_Abort does not return; should it, end this rank anyway
}

// Close is MPI_Finalize; the Comm cannot be used after it.
func (c *Comm) Close() error {
	for _, w := range c.windows {
		if err := c.do(call{kind: callFunc, what: "MPI_Win_free", fn: func() C.int { return C.d_shared_free(&w.win, &w.node) }}); err != nil {
			return err
		}
	}
	c.windows = nil
	return c.do(call{kind: callFinalize, what: "MPI_Finalize"})
}

func errorString(code C.int) string {
	var s [C.MPI_MAX_ERROR_STRING + 1]C.char
	C.d_error_string(code, &s[0])
	return C.GoString(&s[0])
}
