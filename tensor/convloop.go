package tensor

import (
	"github.com/descent-ml/descent/internal/kernel"
)

// The loops of convolution and pooling are split over the worker pool of
// internal/kernel (kernel.ParallelFor), the one that Gemm uses: one set of
// workers for the whole process, and a Gemm called inside a part runs on
// that part's goroutine instead of splitting again. Jobs come from a free
// list, so a warm call allocates nothing (no WaitGroup either, whose wait
// records the runtime allocates now and then). Every loop is split into
// units that write disjoint outputs and compute each element in a fixed
// order, so results are bit-identical whatever the number of workers.

// loopKind names the loop a job runs.
type loopKind uint8

const (
	loopConvForward loopKind = iota
	loopConvBackward
	loopConvReduce
	loopMaxPool
	loopMaxPoolGrad
	loopAvgPool
	loopAvgPoolGrad
)

// parallelMinWork is the number of elements touched (or multiply-adds done)
// below which a loop runs on the calling goroutine: handing work over costs
// about a microsecond.
const parallelMinWork = 1 << 15

// maxLoopParts caps the parts of a loop, and so the per-part scratch of a
// convolution, on machines with many cores.
const maxLoopParts = 8

// loopParts returns how many parts a large loop is split into now: the
// kernels' thread count (kernel.SetThreads, the CLI's --threads), the
// calling goroutine included, at most maxLoopParts. A call that sizes
// scratch by it reads it once and passes the count on in loopArgs.parts,
// since SetThreads may change it meanwhile.
func loopParts() int { return min(kernel.Threads(), maxLoopParts) }

// loopArgs are the operands of a loop; what each slice means is documented
// on the loop function of each kind.
type loopArgs[T Float] struct {
	a, b, c, d, e []T
	wantW, wantB  bool
	parts         int // the parts e has scratch for; 0: none needed
}

// loopJob is one loop over units [0, units).
type loopJob[T Float] struct {
	kind  loopKind
	geom  convGeom
	units int
	args  loopArgs[T]
}

// run executes units [lo, hi) as part number part (which picks the scratch).
func (j *loopJob[T]) run(lo, hi, part int) {
	runKind(j.kind, &j.geom, &j.args, lo, hi, part)
}

func runKind[T Float](kind loopKind, g *convGeom, a *loopArgs[T], lo, hi, part int) {
	switch kind {
	case loopConvForward:
		convForward(g, a, lo, hi, part)
	case loopConvBackward:
		convBackward(g, a, lo, hi, part)
	case loopConvReduce:
		convReduce(g, a, lo, hi)
	case loopMaxPool:
		maxPool(g, a.a, a.b, a.c, lo, hi)
	case loopMaxPoolGrad:
		maxPoolGrad(g, a.a, a.b, a.c, lo, hi)
	case loopAvgPool:
		avgPool(g, a.a, a.b, lo, hi)
	case loopAvgPoolGrad:
		avgPoolGrad(g, a.a, a.b, lo, hi)
	}
}

// RunPart runs part number part of parts (kernel.Parts).
func (j *loopJob[T]) RunPart(part, parts int) {
	j.run(j.units*part/parts, j.units*(part+1)/parts, part)
}

// The loops' jobs are recycled, one free list per element type.
var (
	jobs32 kernel.FreeList[loopJob[float32]]
	jobs64 kernel.FreeList[loopJob[float64]]
)

func poolOf[T Float]() *kernel.FreeList[loopJob[T]] {
	if p, ok := any(&jobs32).(*kernel.FreeList[loopJob[T]]); ok {
		return p
	}
	if p, ok := any(&jobs64).(*kernel.FreeList[loopJob[T]]); ok {
		return p
	}
	return nil // a named float type: jobs are allocated
}

func getJob[T Float]() *loopJob[T] { return poolOf[T]().Get() }

func putJob[T Float](j *loopJob[T]) {
	j.args = loopArgs[T]{} // do not keep tensors alive
	poolOf[T]().Put(j)
}

// runLoop runs a loop of the given kind over units [0, units), split over
// args.parts (or, if 0, loopParts()) goroutines when work (elements
// touched) is large enough to pay.
func runLoop[T Float](kind loopKind, g *convGeom, units, work int, args *loopArgs[T]) {
	parts := args.parts
	if parts == 0 {
		parts = loopParts()
	}
	parts = min(parts, units)
	if parts < 2 || work < parallelMinWork {
		runKind(kind, g, args, 0, units, 0)
		return
	}
	j := getJob[T]()
	j.kind, j.geom, j.units, j.args = kind, *g, units, *args
	kernel.ParallelFor(parts, j)
	putJob(j)
}
