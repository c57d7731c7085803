package data

import (
	"fmt"
	"iter"
	"math/rand/v2"

	"github.com/descent-ml/descent/tensor"
)

// LoaderOptions configure a Loader. The zero value means full batch,
// shuffled, keeping the dataset's example shape.
type LoaderOptions struct {
	// BatchSize is the number of examples per batch: 1 is pure stochastic
	// gradient descent, 0 (or anything at least the dataset's size) one
	// batch holding the whole set, full-batch gradient descent.
	BatchSize int
	// DropLast drops the last batch of an epoch when it is smaller than
	// BatchSize, as PyTorch's DataLoader(drop_last=True) does.
	DropLast bool
	// NoShuffle keeps the dataset's order in every epoch (for evaluation).
	NoShuffle bool
	// Flat gives inputs of shape [B, F] (F the product of the example
	// shape: 784 for MNIST, what an MLP takes) instead of [B, shape...]
	// ([B, 1, 28, 28], what a CNN takes).
	Flat bool
}

// Batch is one batch of inputs and labels. Its storage belongs to the
// Loader and is overwritten by the next batch.
type Batch[T tensor.Float] struct {
	X      *tensor.Tensor[T] // [B, F] or [B, shape...]
	Labels []int             // B labels
	Index  []int             // the dataset indices of the B examples
}

// Loader cuts a Dataset into batches, in an order reshuffled every epoch.
// The order of epoch e is a permutation drawn from a PCG generator seeded
// with (seed, e) alone, so resuming at epoch e, batch i needs only the
// seed, and an epoch's order does not depend on how many batches of the
// previous epochs were consumed. A warm Loader allocates nothing per batch.
// A Loader is not safe for concurrent use.
type Loader[T tensor.Float] struct {
	ds      Dataset
	opt     LoaderOptions
	size    int // examples per batch (the last one may have fewer)
	batches int
	full    bool // one batch of every example: never shuffled, filled once

	seed  uint64
	pcg   rand.PCG
	rng   *rand.Rand
	perm  []int
	epoch int // the epoch perm holds; -1 for none
	done  bool

	shard, shards int // this rank's part of every batch (SetShard)

	x       *tensor.Tensor[T]
	scratch []float32 // float32 staging when T is not float32
	labels  []int
	dims    [tensor.MaxDims]int
}

// NewLoader returns a Loader over ds. Its shuffling seed is drawn from rng
// (one Uint64), so the same rng state gives the same orders; Seed and
// SetSeed save and restore it.
func NewLoader[T tensor.Float](ds Dataset, opt LoaderOptions, rng *rand.Rand) (*Loader[T], error) {
	n := ds.Len()
	if n == 0 {
		return nil, fmt.Errorf("data: cannot batch an empty dataset")
	}
	if opt.BatchSize < 0 {
		return nil, fmt.Errorf("data: batch size %d: want a positive size, or 0 for full batch", opt.BatchSize)
	}
	size := opt.BatchSize
	if size == 0 || size > n {
		if opt.DropLast && size > n {
			return nil, fmt.Errorf("data: batch size %d with drop_last leaves no batch of %d examples: want at most %d", size, n, n)
		}
		size = n
	}
	batches := (n + size - 1) / size
	if opt.DropLast {
		batches = n / size
	}
	if len(ds.Shape())+1 > tensor.MaxDims {
		return nil, fmt.Errorf("data: example shape %v has more than %d dimensions", ds.Shape(), tensor.MaxDims-1)
	}
	l := &Loader[T]{ds: ds, opt: opt, size: size, batches: batches, full: size == n,
		seed: rng.Uint64(), perm: make([]int, n), epoch: -1,
		x: tensor.New[T](0), labels: make([]int, size)}
	l.rng = rand.New(&l.pcg)
	return l, nil
}

// Seed returns the shuffling seed, to be saved with a checkpoint.
func (l *Loader[T]) Seed() uint64 { return l.seed }

// SetSeed restores a shuffling seed returned by Seed.
func (l *Loader[T]) SetSeed(seed uint64) { l.seed, l.epoch, l.done = seed, -1, false }

// SetShard makes every batch hold only part shard of shards of the
// examples of the full batch: contiguous blocks of the batch's order whose
// sizes differ by at most one, the first shards taking the longer ones.
// Every rank of a data-parallel job visits the same shuffled order and
// takes its own shard of each batch, as torch's DistributedSampler does
// (which deals examples round-robin instead; either way the union is the
// batch). Len and BatchSize still describe the global batches.
func (l *Loader[T]) SetShard(shard, shards int) {
	if shards < 1 || shard < 0 || shard >= shards {
		panic(fmt.Sprintf("data: shard %d of %d", shard, shards))
	}
	l.shard, l.shards = shard, shards
	l.done = false
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Len returns the number of batches per epoch.
func (l *Loader[T]) Len() int { return l.batches }

// BatchSize returns the number of examples of a full batch.
func (l *Loader[T]) BatchSize() int { return l.size }

// Order returns the order in which epoch visits the examples (a view,
// valid until the order of another epoch is asked for).
func (l *Loader[T]) Order(epoch int) []int {
	if l.epoch == epoch {
		return l.perm
	}
	for i := range l.perm {
		l.perm[i] = i
	}
	// A single full batch is not shuffled: its order would only change the
	// order of terms in sums over the batch.
	if !l.opt.NoShuffle && !l.full {
		l.pcg.Seed(l.seed, uint64(epoch))
		for i := len(l.perm) - 1; i > 0; i-- { // Fisher-Yates
			j := l.rng.IntN(i + 1)
			l.perm[i], l.perm[j] = l.perm[j], l.perm[i]
		}
	}
	l.epoch = epoch
	return l.perm
}

// Batch fills and returns batch i (0 <= i < Len()) of epoch.
func (l *Loader[T]) Batch(epoch, i int) Batch[T] {
	if i < 0 || i >= l.batches {
		panic(fmt.Sprintf("data: batch %d out of range [0, %d)", i, l.batches))
	}
	idx := l.Order(epoch)[i*l.size : min((i+1)*l.size, len(l.perm))]
	if l.shards > 1 {
		q, r := len(idx)/l.shards, len(idx)%l.shards
		lo := l.shard*q + min(l.shard, r)
		idx = idx[lo : lo+q+btoi(l.shard < r)]
	}
	b := Batch[T]{X: l.x, Labels: l.labels[:len(idx)], Index: idx}
	if l.full && l.done {
		return b // the only batch never changes
	}
	shape := l.ds.Shape()
	f := product(shape)
	l.dims[0] = len(idx)
	nd := 2
	if l.opt.Flat {
		l.dims[1] = f
	} else {
		nd = 1 + copy(l.dims[1:], shape)
	}
	l.x.Resize(l.dims[:nd]...)
	if x, ok := any(l.x.Data()).([]float32); ok {
		l.ds.Fill(x, b.Labels, idx)
	} else {
		if cap(l.scratch) < l.x.Len() {
			l.scratch = make([]float32, l.x.Len())
		}
		l.scratch = l.scratch[:l.x.Len()]
		l.ds.Fill(l.scratch, b.Labels, idx)
		x := l.x.Data()
		for k, v := range l.scratch {
			x[k] = T(v)
		}
	}
	l.done = l.full
	return b
}

// Epoch returns the batches of epoch, with their index within the epoch.
func (l *Loader[T]) Epoch(epoch int) iter.Seq2[int, Batch[T]] { return l.EpochFrom(epoch, 0) }

// EpochFrom returns the batches of epoch from batch start on: where a run
// resumed in the middle of an epoch continues.
func (l *Loader[T]) EpochFrom(epoch, start int) iter.Seq2[int, Batch[T]] {
	return func(yield func(int, Batch[T]) bool) {
		for i := max(start, 0); i < l.batches; i++ {
			if !yield(i, l.Batch(epoch, i)) {
				return
			}
		}
	}
}
