package tensor

import (
	"runtime"
	"sync"
)

// The memory-bound loops of convolution and pooling (im2col, col2im, layout
// changes, pooling windows) are split over a few long-lived worker
// goroutines. Work travels as plain values over a channel and jobs come from
// a free list, so a warm call allocates nothing. Every loop is split into
// units that write disjoint outputs and compute each element in a fixed
// order, so results are bit-identical whatever the number of workers.

// loopKind names the loop a job runs.
type loopKind uint8

const (
	loopIm2Col loopKind = iota
	loopCol2Im
	loopConvOut
	loopConvGradOut
	loopMaxPool
	loopMaxPoolGrad
	loopAvgPool
	loopAvgPoolGrad
)

// parallelMinWork is the number of elements touched below which a loop runs
// on the calling goroutine: handing work over costs about a microsecond.
const parallelMinWork = 1 << 14

// loopParts is how many parts a large loop is split into: the workers plus
// the calling goroutine. Tests change it to prove results do not depend on it.
var loopParts = min(runtime.GOMAXPROCS(0), 8)

// loopJob is one loop over units [0, units): a kind, a geometry and up to
// three slices whose meaning depends on the kind.
type loopJob[T Float] struct {
	kind    loopKind
	geom    convGeom
	units   int
	a, b, c []T
	wg      sync.WaitGroup
}

// run executes units [lo, hi).
func (j *loopJob[T]) run(lo, hi int) {
	g := &j.geom
	switch j.kind {
	case loopIm2Col:
		im2col(g, j.a, j.b, lo, hi)
	case loopCol2Im:
		col2im(g, j.a, j.b, lo, hi)
	case loopConvOut:
		convOut(g, j.a, j.b, j.c, lo, hi)
	case loopConvGradOut:
		convGradOut(g, j.a, j.b, j.c, lo, hi)
	case loopMaxPool:
		maxPool(g, j.a, j.b, j.c, lo, hi)
	case loopMaxPoolGrad:
		maxPoolGrad(g, j.a, j.b, j.c, lo, hi)
	case loopAvgPool:
		avgPool(g, j.a, j.b, lo, hi)
	case loopAvgPoolGrad:
		avgPoolGrad(g, j.a, j.b, lo, hi)
	}
}

func (j *loopJob[T]) runPart(part, parts int) {
	j.run(j.units*part/parts, j.units*(part+1)/parts)
}

func (j *loopJob[T]) done() { j.wg.Done() }

// partRunner is what a worker sees of a job; a pointer in an interface, so
// sending one does not allocate.
type partRunner interface {
	runPart(part, parts int)
	done()
}

type workItem struct {
	job         partRunner
	part, parts int
}

var (
	workOnce  sync.Once
	workQueue chan workItem
)

func startWorkers() {
	workQueue = make(chan workItem, 64)
	for range max(loopParts-1, 1) {
		go func() {
			for it := range workQueue {
				it.job.runPart(it.part, it.parts)
				it.job.done()
			}
		}()
	}
}

// jobPool is a free list of jobs of one element type.
type jobPool[T Float] struct {
	mu   sync.Mutex
	free []*loopJob[T]
}

var (
	jobs32 jobPool[float32]
	jobs64 jobPool[float64]
)

func getJob[T Float]() *loopJob[T] {
	p, ok := any(&jobs32).(*jobPool[T])
	if !ok {
		p, ok = any(&jobs64).(*jobPool[T])
	}
	if !ok {
		return new(loopJob[T]) // a named float type: rare, allowed to allocate
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		j := p.free[n-1]
		p.free = p.free[:n-1]
		return j
	}
	return new(loopJob[T])
}

func putJob[T Float](j *loopJob[T]) {
	j.a, j.b, j.c = nil, nil, nil // do not keep tensors alive
	p, ok := any(&jobs32).(*jobPool[T])
	if !ok {
		p, ok = any(&jobs64).(*jobPool[T])
	}
	if !ok {
		return
	}
	p.mu.Lock()
	p.free = append(p.free, j)
	p.mu.Unlock()
}

// runLoop runs a loop of the given kind over units [0, units), split over
// the workers when work (elements touched) is large enough to pay.
func runLoop[T Float](kind loopKind, g *convGeom, units, work int, a, b, c []T) {
	parts := min(loopParts, units)
	if parts < 2 || work < parallelMinWork {
		j := loopJob[T]{kind: kind, geom: *g, units: units, a: a, b: b, c: c}
		j.run(0, units)
		return
	}
	workOnce.Do(startWorkers)
	j := getJob[T]()
	j.kind, j.geom, j.units, j.a, j.b, j.c = kind, *g, units, a, b, c
	j.wg.Add(parts - 1)
	for p := 1; p < parts; p++ {
		workQueue <- workItem{j, p, parts}
	}
	j.runPart(0, parts)
	j.wg.Wait()
	putJob(j)
}
