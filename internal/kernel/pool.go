package kernel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The kernels split large calls over a persistent set of worker goroutines,
// each with its own packing buffers, so a warm call allocates nothing: a call
// publishes a pointer to a preallocated job to each worker and waits for a
// count of unfinished parts to reach zero. One call at a time owns the
// workers; a call that finds them busy (Gemm from several goroutines at
// once) runs on its own goroutine with spare buffers.
//
// Workers spin before they sleep. A training step makes a parallel call
// every few tens of microseconds, and waking a sleeping thread (a futex and,
// in a virtual machine, an inter-processor interrupt) took longer than the
// work of a mid-sized product: with channels and a WaitGroup, two goroutines
// computed a 128×256×512 product slower than one. So a worker that finishes
// polls for its next job for spinFor before it blocks, as OpenMP runtimes
// do, and the caller polls for the parts it waits on. The worker's poll does
// not call runtime.Gosched: a yielded goroutine goes to the global run queue
// and its P picks it straight back, while goroutines queued on the other P
// (the convolution's workers) wait; polling briefly and then sleeping
// bounds that cost. Measured on the 2-core EPYC, 2 threads: MLP training
// step +20-25%, CNN within noise (-5% to +0%); see spinFor for how long.
//
// Nobody spins when a call has more parts than the machine has cores
// (SetThreads(16) on 2 cores): a spinning goroutine then holds a core that
// a part waiting to run needs, until the runtime preempts it ~10 ms later.
// Such a call's workers sleep as soon as they are done and its caller
// sleeps until the last part finishes. A 6000-image MLP epoch (descent
// train --limit 6000, 2 cores shared with other work, medians of 3) took
// 6.8 s at 16 threads against 1.8 s at 2 while they spun, and 1.0 s after.

// partRange returns the range [lo, hi) of part in an array of n elements
// cut into chunks of chunk elements, and false if part has none.
func partRange(part, chunk, n int) (lo, hi int, ok bool) {
	lo = part * chunk
	return lo, min(lo+chunk, n), lo < n
}

// job is one parallel call split into parts it knows the number of: run
// computes one part, using buf for scratch.
type job interface {
	run(buf *packBuf, part int)
}

var (
	threads atomic.Int64 // 0 means runtime.GOMAXPROCS(0)

	poolMu  sync.Mutex   // held by the call that owns the workers
	bufs    []*packBuf   // bufs[i] belongs to part i of the owning call
	workers []*worker    // workers[i-1] runs part i
	pending atomic.Int32 // parts of the current call not yet finished
	spin    atomic.Bool  // whether the current call's goroutines may poll

	// waiting is set while the caller of a call that may not spin sleeps
	// on done, which the worker that finishes the last part signals; it
	// works as a worker's sleeping flag and wake channel do.
	waiting atomic.Bool
	done    = make(chan struct{}, 1)

	// spares are the packing buffers of calls that found the workers busy.
	// They are kept, not pooled in a sync.Pool: a garbage collection empties
	// a sync.Pool, and refilling it cost a 2 MB allocation per concurrent
	// caller (the convolution's workers each call Gemm) after every cycle.
	sparesMu sync.Mutex
	spares   []*packBuf
)

// SetThreads sets how many goroutines a kernel call may use; n < 1 restores
// the default, runtime.GOMAXPROCS(0). It is safe to call at any time; calls
// already running keep their count. Results do not depend on it.
func SetThreads(n int) {
	threads.Store(int64(max(n, 0)))
}

// Threads reports how many goroutines a kernel call may use.
func Threads() int {
	if n := threads.Load(); n > 0 {
		return int(n)
	}
	return runtime.GOMAXPROCS(0)
}

// acquire takes the workers for one call and returns part 0's buffers, or
// returns nil when another call holds them.
func acquire() *packBuf {
	if !poolMu.TryLock() {
		return nil
	}
	if len(bufs) == 0 {
		bufs = []*packBuf{new(packBuf)}
	}
	return bufs[0]
}

func release() { poolMu.Unlock() }

// getSpare returns packing buffers for a call that runs alone.
func getSpare() *packBuf {
	sparesMu.Lock()
	defer sparesMu.Unlock()
	if n := len(spares); n > 0 {
		b := spares[n-1]
		spares = spares[:n-1]
		return b
	}
	return new(packBuf)
}

// putSpare keeps buf for the next call that runs alone.
func putSpare(buf *packBuf) {
	sparesMu.Lock()
	spares = append(spares, buf)
	sparesMu.Unlock()
}

// runParts runs j.run for parts 0..parts-1, part 0 on the calling goroutine
// and the others on workers, and returns when all are done. The caller must
// hold the workers (acquire).
func runParts(j job, parts int) {
	for len(workers) < parts-1 {
		startWorker()
	}
	spin.Store(mayspin(parts))
	pending.Store(int32(parts - 1))
	for i := 1; i < parts; i++ {
		workers[i-1].post(j)
	}
	j.run(bufs[0], 0)
	for n := 0; pending.Load() != 0; n++ {
		if spin.Load() {
			spinPause(n)
			continue
		}
		waiting.Store(true)
		if pending.Load() != 0 {
			<-done // a stale token only makes the loop check again
		}
		waiting.Store(false)
	}
}

// mayspin reports whether the goroutines of a call of the given number of
// parts may poll: only when each can have a core of its own.
func mayspin(parts int) bool {
	return parts <= min(runtime.NumCPU(), runtime.GOMAXPROCS(0))
}

// finishPart counts one worker's part as done and wakes a sleeping caller
// after the last one.
func finishPart() {
	if pending.Add(-1) == 0 && waiting.Load() {
		select {
		case done <- struct{}{}:
		default:
		}
	}
}

// spinFor is how long an idle worker polls for a job before it sleeps:
// longer than the gaps between a step's parallel calls (zeroing gradients,
// the loss, small layers on one core: up to ~100 µs in the MLP step), short
// enough that a worker polling in vain takes little from the rest of the
// machine. At 30 µs the worker fell asleep about 3.6 times per MLP step, and
// each wake cost ~100 µs in this VM (the host had descheduled the idle
// vCPU): 300 µs took the 2-thread step from 2.02 to 1.58 ms, the CNN step
// from 12.0 to 10.7 ms (interleaved A/B in one process). OpenMP runtimes
// spin longer still (GOMP's default spin count is ~0.1-1 ms).
const spinFor = 300 * time.Microsecond

// worker is one goroutine of the pool and its mailbox: the dispatcher
// stores the job, then bumps seq; a sleeping worker also needs a token on
// wake. sleeping and seq are written and read in opposite orders by the two
// sides, so (atomics being sequentially consistent) either the worker sees
// the new seq or the dispatcher sees it asleep: a job is never missed. A
// token sent to a worker that did not sleep only makes a later sleep end
// early, which the worker notices and spins again.
type worker struct {
	job      job
	seq      atomic.Uint64
	sleeping atomic.Bool
	wake     chan struct{}
}

func (w *worker) post(j job) {
	w.job = j
	w.seq.Add(1)
	if w.sleeping.Load() {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

func (w *worker) loop(buf *packBuf, part int) {
	var last uint64
	for {
		start := time.Now()
		for n := 0; w.seq.Load() == last; n++ {
			if !spin.Load() || n%256 == 255 && time.Since(start) > spinFor {
				w.sleeping.Store(true)
				if w.seq.Load() == last {
					<-w.wake
				}
				w.sleeping.Store(false)
				start = time.Now()
				continue
			}
		}
		last = w.seq.Load()
		w.job.run(buf, part)
		finishPart()
	}
}

// spinPause yields to the scheduler now and then while polling, so that a
// poller never starves the goroutine it waits for when they share a P.
func spinPause(n int) {
	if n%64 == 63 {
		runtime.Gosched()
	}
}

func startWorker() {
	i := len(workers) + 1
	buf := new(packBuf)
	bufs = append(bufs, buf)
	w := &worker{wake: make(chan struct{}, 1)}
	workers = append(workers, w)
	go w.loop(buf, i)
}
