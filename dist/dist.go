// Package dist is data-parallel training over a Communicator: N copies of
// a model, one per process (a rank), each computing the gradient of its own
// share of every batch; the gradients are averaged across ranks with an
// all-reduce, so every copy takes the same optimizer step and stays equal.
// This is PyTorch's DistributedDataParallel (Li et al., "PyTorch
// Distributed: Experiences on Accelerating Data Parallel Training", VLDB
// 2020) and Horovod's model (Sergeev & Del Balso, arXiv:1802.05799).
//
// The Communicator interface is what the trainer needs of a message-passing
// library and nothing more. Two implementations exist: NewFake, N ranks as
// goroutines of one process (for tests), and dist/mpi, Open MPI through cgo,
// built only with the `mpi` build tag so that the default build stays pure
// Go.
package dist

import (
	"errors"
	"fmt"
)

// Op is the reduction of an all-reduce.
type Op int

const (
	// Sum adds the ranks' buffers element-wise (MPI_SUM).
	Sum Op = iota
	// Average adds them and divides by the number of ranks.
	Average
)

// Communicator is a group of Size processes numbered 0..Size-1. Every
// collective (Broadcast, AllReduce, Barrier) must be called by every rank,
// in the same order, with buffers of the same length; a rank that dies makes
// the others' collectives fail (or the launcher kill them) instead of
// waiting forever. A Communicator is used by one goroutine at a time.
type Communicator interface {
	Rank() int
	Size() int
	// Broadcast copies root's buf into every other rank's buf.
	Broadcast(buf []float32, root int) error
	// AllReduce replaces every rank's buf with the reduction of all ranks'
	// bufs. The result is the same bits on every rank, and the same bits
	// from run to run for the same Size (a fixed reduction order).
	AllReduce(buf []float32, op Op) error
	// Barrier returns when every rank has entered it.
	Barrier() error
	// Abort ends every rank of the job with the exit code: the way out when
	// one rank fails and the others would otherwise wait in a collective.
	Abort(code int)
}

// ErrAborted is returned by collectives of a job that was aborted or lost a
// rank.
var ErrAborted = errors.New("dist: the job was aborted or lost a rank")

// CheckBatch checks that a global batch of size batch can be split over
// size ranks: each rank must get the same number of examples, at least one,
// so that the average of the ranks' mean gradients is the batch's mean
// gradient.
func CheckBatch(batch, size int) error {
	if batch < size {
		return fmt.Errorf("--batch %d is smaller than the %d ranks: each rank needs at least one example", batch, size)
	}
	if batch%size != 0 {
		return fmt.Errorf("--batch %d does not split evenly over %d ranks: use a multiple of %d", batch, size, size)
	}
	return nil
}

// Shard returns the part [lo, hi) of n items that rank of size takes:
// contiguous blocks whose lengths differ by at most one, the first ranks
// taking the longer ones.
func Shard(n, rank, size int) (lo, hi int) {
	q, r := n/size, n%size
	lo = rank*q + min(rank, r)
	hi = lo + q
	if rank < r {
		hi++
	}
	return lo, hi
}
