package optim

import (
	"runtime"
	"sync"
)

// splitMin is the tensor size from which a step is split across two
// goroutines: below it the hand-off costs more than it saves.
const splitMin = 1 << 15

// splitter runs an element-wise kernel over [0, n) in two halves, the upper
// one on a shared helper goroutine. Because kernels update each element
// from that element's values alone, the result is the same however the
// range is split. The kernel is a func value made once (a method value
// stored at construction), so handing it over allocates nothing.
type splitter struct{ wg sync.WaitGroup }

type job struct {
	f      func(lo, hi int)
	lo, hi int
	wg     *sync.WaitGroup
}

var (
	helperOnce sync.Once
	helperJobs chan job
)

func startHelper() {
	helperJobs = make(chan job)
	go func() {
		for j := range helperJobs {
			j.f(j.lo, j.hi)
			j.wg.Done()
		}
	}()
}

// run calls f over [0, n), split in two when n is large and more than one
// CPU is available.
func (s *splitter) run(n int, f func(lo, hi int)) {
	if n < splitMin || runtime.GOMAXPROCS(0) < 2 {
		f(0, n)
		return
	}
	helperOnce.Do(startHelper)
	mid := n / 2 &^ 15 // keep both halves aligned for SIMD kernels
	s.wg.Add(1)
	helperJobs <- job{f: f, lo: mid, hi: n, wg: &s.wg}
	f(0, mid)
	s.wg.Wait()
}
