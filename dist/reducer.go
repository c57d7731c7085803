package dist

import (
	"github.com/descent-ml/descent/autograd"
)

// DefaultBucketBytes is the gradient bytes per all-reduce bucket. PyTorch's
// DDP uses 25 MB (and 1 MB for the first bucket); descent's models are
// small (the MLP's gradients are 2.1 MB), so buckets of 1 MB are what lets
// the last layers' all-reduce start while the first layer's backward runs.
const DefaultBucketBytes = 1 << 20

// Reducer averages gradients across the ranks of a Communicator in
// buckets, as PyTorch's DistributedDataParallel does: parameters are
// grouped in reverse model order (the order backward produces their
// gradients), and a bucket's all-reduce starts, on a goroutine of its own,
// as soon as its last gradient is final, while backward goes on with the
// earlier layers. Buckets are reduced in a fixed order (0, 1, ...) whatever
// order their gradients became ready in, so every rank issues the same
// collectives in the same order and two runs give the same bits.
//
// A step is Begin, then Ready for each parameter whose gradient is final
// (autograd.Graph.GradReady calls it during Backward), then Finish, which
// submits what is left, waits, and writes the averaged gradients back.
// After the gradient buckets one more all-reduce sums Stats, the caller's
// per-step numbers (loss sums, counts), so that every rank sees the global
// ones. A warm step allocates nothing.
type Reducer struct {
	comm    Communicator
	params  []*autograd.Var[float32]
	buckets []bucket
	of      map[*autograd.Var[float32]]int // parameter -> bucket
	pending []int                          // per bucket: gradients not yet final
	next    int                            // the next bucket to submit
	scale   float32
	work    chan []float32
	done    chan error
	// Stats is summed across ranks by Finish, after the gradients.
	Stats []float32
}

type bucket struct {
	params []int     // indices into Reducer.params
	buf    []float32 // the flat gradients of params, reduced in place
}

// NewReducer groups params into buckets of about bucketBytes (0: the
// default) and starts the goroutine that reduces them; stats is the number
// of values in Stats. Close stops it.
func NewReducer(comm Communicator, params []*autograd.Var[float32], bucketBytes, stats int) *Reducer {
	if bucketBytes <= 0 {
		bucketBytes = DefaultBucketBytes
	}
	r := &Reducer{comm: comm, params: params, of: map[*autograd.Var[float32]]int{}, Stats: make([]float32, stats)}
	var cur bucket
	size := 0
	flush := func() {
		cur.buf = make([]float32, size)
		r.buckets = append(r.buckets, cur)
		cur, size = bucket{}, 0
	}
	for i := len(params) - 1; i >= 0; i-- {
		n := params[i].Value.Len()
		if len(cur.params) > 0 && (size+n)*4 > bucketBytes {
			flush()
		}
		cur.params = append(cur.params, i)
		size += n
		r.of[params[i]] = len(r.buckets)
	}
	if len(cur.params) > 0 {
		flush()
	}
	r.pending = make([]int, len(r.buckets))
	// One channel keeps the buckets in submission order; its room for all
	// of them means submitting never blocks backward.
	r.work = make(chan []float32, len(r.buckets)+1)
	r.done = make(chan error, len(r.buckets)+1)
	go r.loop()
	return r
}

// Buckets returns the number of gradient buckets and their sizes in
// elements.
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

// Close stops the reducing goroutine.
func (r *Reducer) Close() { close(r.work) }

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
	off := 0
	for _, p := range b.params {
		g := r.params[p].Grad.Data()
		dst := b.buf[off : off+len(g)]
		for k, v := range g {
			dst[k] = v * r.scale
		}
		off += len(g)
	}
	r.work <- b.buf
}

// Finish submits the buckets not yet submitted (parameters the loss did
// not reach never become ready), then Stats, waits for every all-reduce,
// and writes the averaged gradients back into the parameters.
func (r *Reducer) Finish() error {
	for ; r.next < len(r.buckets); r.next++ {
		r.submit(r.next)
	}
	r.work <- r.Stats
	var first error
	for range len(r.buckets) + 1 {
		if err := <-r.done; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return first
	}
	for _, b := range r.buckets {
		off := 0
		for _, p := range b.params {
			g := r.params[p].Grad.Data()
			off += copy(g, b.buf[off:off+len(g)])
		}
	}
	return nil
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
