package kernel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The kernels split large calls over a persistent set of worker goroutines,
// each with its own packing buffers, so a warm call allocates nothing: a call
// hands each worker a pointer to a preallocated job over a channel and waits
// on a WaitGroup. One call at a time owns the workers; a call that finds them
// busy (Gemm from several goroutines at once) runs on its own goroutine with
// buffers from a sync.Pool.

// job is one parallel call split into parts it knows the number of: run
// computes one part, using buf for scratch.
type job interface {
	run(buf *packBuf, part int)
}

var (
	threads atomic.Int64 // 0 means runtime.GOMAXPROCS(0)

	poolMu  sync.Mutex // held by the call that owns the workers
	bufs    []*packBuf // bufs[i] belongs to part i of the owning call
	workers []chan job // workers[i-1] runs part i
	working sync.WaitGroup

	spare = sync.Pool{New: func() any { return new(packBuf) }}
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

// runParts runs j.run for parts 0..parts-1, part 0 on the calling goroutine
// and the others on workers, and returns when all are done. The caller must
// hold the workers (acquire).
func runParts(j job, parts int) {
	for len(workers) < parts-1 {
		startWorker()
	}
	working.Add(parts - 1)
	for i := 1; i < parts; i++ {
		workers[i-1] <- j
	}
	j.run(bufs[0], 0)
	working.Wait()
}

func startWorker() {
	i := len(workers) + 1
	buf := new(packBuf)
	bufs = append(bufs, buf)
	ch := make(chan job, 1)
	workers = append(workers, ch)
	go func() {
		for j := range ch {
			j.run(buf, i)
			working.Done()
		}
	}()
}
