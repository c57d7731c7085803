package dist

import (
	"unsafe"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// DefaultBucketBytes is the gradient bytes per all-reduce bucket. PyTorch's
// DDP uses 25 MB (and 1 MB for the first bucket); descent's models are
// small (the MLP's gradients are 2.1 MB), so buckets of 1 MB are what lets
// the last layers' all-reduce start while the first layer's backward runs.
const DefaultBucketBytes = 1 << 20

// Starter is a Communicator that can start a sum all-reduce and return at
// once, queueing it behind the collectives already started (dist/mpi does:
// its MPI thread works through a queue). The Reducer then hands a bucket
// straight to the library instead of to a goroutine of its own, one
// hand-off less per bucket.
type Starter interface {
	// StartAllReduce starts AllReduce(buf, Sum) and sends its error on done
	// (which must have room) once buf holds the sum; buf is not to be
	// touched until then.
	StartAllReduce(buf []float32, done chan<- error)
}

// Reducer averages gradients across the ranks of a Communicator in
// buckets, as PyTorch's DistributedDataParallel does: parameters are
// grouped in reverse model order (the order backward produces their
// gradients), and a bucket's all-reduce starts as soon as its last
// gradient is final, while backward goes on with the earlier layers.
// Buckets are reduced in a fixed order (0, 1, ...) whatever order their
// gradients became ready in, so every rank issues the same collectives in
// the same order and two runs give the same bits.
//
// A step is Begin, then Ready for each parameter whose gradient is final
// (autograd.Graph.GradReady calls it during Backward), then Finish, which
// submits what is left, waits, and writes the averaged gradients back.
// Stats, the caller's per-step numbers (loss sums, counts), travel at the
// end of the last bucket and are summed with it, so that every rank sees
// the global ones without a collective of their own: set them before
// Backward.
//
// The parameters' gradients are themselves views of one buffer, in reverse
// model order and followed by Stats, and the buckets are views of it
// (PyTorch's gradient_as_bucket_view): backward accumulates straight into
// the buckets, which are scaled and reduced in place, so that no gradient
// is copied into a bucket or back, and the buckets take no memory beyond
// the gradients'. A warm step allocates nothing.
//
// When the ranks share one machine's memory (comm is a SharedMemory that
// can map a segment: dist/mpi on one machine), that buffer lives in the
// shared segment and, by default, a ready bucket is summed in place across
// the ranks (Shared) instead of all-reduced: the same sums, without the
// library's copies (SetShared switches between the two).
type Reducer struct {
	comm    Communicator
	starter Starter // comm, if it is one; otherwise the goroutine loop starts
	params  []*autograd.Var[float32]
	flat    []float32 // the gradients (their Grad tensors are views of it) in reverse model order, then Stats
	end     []int     // per parameter: where its gradient ends in flat
	buckets []bucket
	of      map[*autograd.Var[float32]]int // parameter -> bucket
	pending []int                          // per bucket: gradients not yet final
	next    int                            // the next bucket to submit
	scale   float32
	work    chan []float32
	done    chan error
	shared  *Shared // the buffer of the gradients, when the ranks share memory
	inPlace bool    // the buckets are summed in shared, not all-reduced
	// Stats is summed across ranks with the last bucket. Set it before the
	// last gradient becomes ready (before Backward).
	Stats []float32
}

type bucket struct {
	params []int     // indices into Reducer.params
	buf    []float32 // the gradients of params, reduced in place (a view of flat)
	lo     int       // where buf starts in flat
}

// NewReducer groups params into buckets of about bucketBytes (0: the
// default); stats is the number of values in Stats. It replaces each
// parameter's Grad by a view of the buckets' buffer holding the same
// values. It is collective when comm is a SharedMemory (every rank maps
// the buffer). Close releases it.
func NewReducer(comm Communicator, params []*autograd.Var[float32], bucketBytes, stats int) (*Reducer, error) {
	// Each gradient starts on a 64-byte cache line, as a tensor of its own
	// would: backward's matrix products write its rows, and rows that
	// straddle cache lines slow them by half.
	r := &Reducer{comm: comm, params: params, end: make([]int, len(params))}
	n := 0
	for i := len(params) - 1; i >= 0; i-- {
		n = alignUp(n) + params[i].Value.Len()
		r.end[i] = n
	}
	if sm, ok := comm.(SharedMemory); ok {
		sh, err := sm.SharedFloats(alignUp(n) + stats)
		if err != nil {
			return nil, err
		}
		if sh != nil {
			r.shared, r.inPlace, r.flat = sh, true, sh.Floats()
		}
	}
	if r.flat == nil {
		r.flat = alignedFloats(alignUp(n) + stats)
	}
	r.Stats = r.flat[len(r.flat)-stats:]
	for i, p := range params {
		g := r.flat[r.end[i]-p.Value.Len() : r.end[i] : r.end[i]]
		if p.Grad != nil {
			copy(g, p.Grad.Data())
		}
		p.Grad = tensor.FromSlice(g, p.Value.Shape()...)
	}
	r.Regroup(bucketBytes)
	// One channel keeps the buckets in submission order; its room for all
	// of them means submitting never blocks backward.
	r.done = make(chan error, len(params)+1)
	if s, ok := comm.(Starter); ok {
		r.starter = s
	} else {
		r.work = make(chan []float32, len(params)+1)
		go r.loop()
	}
	return r, nil
}

// SetShared chooses how the buckets are summed when the ranks share
// memory: in place (on, the default) or all-reduced as on ranks spread
// over machines (off, a benchmark's baseline). It reports
// whether the sum is in place, always false when the ranks do not share
// memory. Call it between steps.
func (r *Reducer) SetShared(on bool) bool {
	r.inPlace = on && r.shared != nil
	return r.inPlace
}

// Regroup regroups the gradients into buckets of about bucketBytes (0:
// DefaultBucketBytes), reusing the buffer; a size past the model's
// gradients makes one bucket, reduced only after backward (no overlap).
// Call it between steps.
func (r *Reducer) Regroup(bucketBytes int) {
	if bucketBytes <= 0 {
		bucketBytes = DefaultBucketBytes
	}
	r.buckets = r.buckets[:0]
	r.of = make(map[*autograd.Var[float32]]int, len(r.params))
	var cur []int
	lo := 0 // where the current bucket starts in flat
	flush := func(hi int) {
		r.buckets = append(r.buckets, bucket{params: cur, buf: r.flat[lo:hi], lo: lo})
		cur, lo = nil, hi
	}
	for i := len(r.params) - 1; i >= 0; i-- {
		if len(cur) > 0 && (r.end[i]-lo)*4 > bucketBytes {
			flush(r.end[i+1])
		}
		cur = append(cur, i)
		r.of[r.params[i]] = len(r.buckets)
	}
	flush(len(r.flat)) // the last bucket carries Stats
	r.pending = make([]int, len(r.buckets))
}

// Buckets returns the sizes of the gradient buckets in elements (the last
// one's including Stats).
func (r *Reducer) Buckets() []int {
	sizes := make([]int, len(r.buckets))
	for i, b := range r.buckets {
		sizes[i] = len(b.buf)
	}
	return sizes
}

func (r *Reducer) loop() {
	for buf := range r.work {
		r.done <- r.comm.AllReduce(buf, Sum)
	}
}

// Close stops the reducing goroutine, if there is one.
func (r *Reducer) Close() {
	if r.work != nil {
		close(r.work)
	}
}

// Begin starts a step. Each rank's gradients are multiplied by scale
// before they are summed: its share of the global batch (its examples over
// the batch's), so that the sum is the gradient of the batch's mean loss
// even when shards differ in size; 1/Size for equal shards.
func (r *Reducer) Begin(scale float32) {
	r.scale = scale
	r.next = 0
	for i, b := range r.buckets {
		r.pending[i] = len(b.params)
	}
	clear(r.Stats)
	if r.inPlace {
		r.shared.Begin()
	}
}

// Ready records that v's gradient is final for this step; a bucket whose
// gradients are all final, and all buckets before it, are submitted.
func (r *Reducer) Ready(v *autograd.Var[float32]) {
	b, ok := r.of[v]
	if !ok {
		return // not a parameter of this model
	}
	r.pending[b]--
	for r.next < len(r.buckets) && r.pending[r.next] <= 0 {
		r.submit(r.next)
		r.next++
	}
}

func (r *Reducer) submit(i int) {
	b := &r.buckets[i]
	r.scaleGrads(b.buf[:len(b.buf)-r.statsIn(i)]) // the bucket's gradients, without Stats
	if r.inPlace {
		r.shared.Ready(b.lo, b.lo+len(b.buf))
	} else if r.starter != nil {
		r.starter.StartAllReduce(b.buf, r.done)
	} else {
		r.work <- b.buf
	}
}

// scaleGrads multiplies gradients g by the rank's share, unless it is 1.
func (r *Reducer) scaleGrads(g []float32) {
	if r.scale != 1 {
		for k, v := range g {
			g[k] = v * r.scale
		}
	}
}

// alignUp rounds n floats up to a whole number of 64-byte cache lines.
func alignUp(n int) int { return (n + 15) &^ 15 }

// alignedFloats returns n zeros starting on a 64-byte boundary.
func alignedFloats(n int) []float32 {
	b := make([]float32, n+15)
	skip := (64 - int(uintptr(unsafe.Pointer(&b[0]))%64)) % 64 / 4
	return b[skip : skip+n : skip+n]
}

// statsIn returns the number of Stats values at the end of bucket i.
func (r *Reducer) statsIn(i int) int {
	if i == len(r.buckets)-1 {
		return len(r.Stats)
	}
	return 0
}

// Finish submits the buckets not yet submitted (parameters the loss did
// not reach never become ready) and waits for every all-reduce: then the
// parameters' gradients hold the average and Stats the sum.
func (r *Reducer) Finish() error {
	for ; r.next < len(r.buckets); r.next++ {
		r.submit(r.next)
	}
	if r.inPlace {
		return r.shared.Finish()
	}
	var first error
	for range r.buckets {
		if err := <-r.done; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// BroadcastParams copies rank root's parameter values to every rank.
func BroadcastParams(comm Communicator, params []*autograd.Var[float32], root int) error {
	for _, p := range params {
		if err := comm.Broadcast(p.Value.Data(), root); err != nil {
			return err
		}
	}
	return nil
}
