package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/dist"
)

// distributed is the trainer's state as one rank of a data-parallel job.
type distributed struct {
	comm    dist.Communicator
	reducer *dist.Reducer
	ctx     context.Context // Run's context, read each step
	stop    bool            // some rank was cancelled (agreed in the last step)
	eval    [4]float32      // the test loss and accuracy, as float64 bits, for the broadcast
}

// Stats summed across ranks after each step's gradients.
const (
	statLoss    = iota // the rank's loss times its examples
	statCorrect        // its correct predictions
	statStop           // 1 if its run was cancelled
	statCount
)

// SetCommunicator makes the trainer one rank of a data-parallel job over
// c, as PyTorch's DistributedDataParallel with a DistributedSampler: every
// global batch of the shuffled order (the same on every rank) is cut into
// c.Size() contiguous shards, rank r trains on shard r, and the gradients
// are averaged across ranks in buckets while backward runs (dist.Reducer),
// so that every rank takes the same optimizer step. Run starts by copying
// rank 0's weights to every rank. Only the caller decides what each rank
// prints and writes: give ranks other than 0 no Dir and no Out.
//
// Call it before Restore (a checkpoint records its number of ranks and
// must be resumed with as many). A nil c, or one of size 1, is a single
// process. The batch size must be a multiple of the number of ranks.
func (t *Trainer) SetCommunicator(c dist.Communicator) error {
	if t.dist != nil {
		t.dist.reducer.Close()
	}
	if c == nil || c.Size() <= 1 {
		t.dist = nil
		t.graph.GradReady = nil
		return nil
	}
	if t.regress {
		return errors.New("train: distributed training of a regression is not supported yet (train it in one process)")
	}
	if err := dist.CheckBatch(t.loader.BatchSize(), c.Size()); err != nil {
		return err
	}
	red, err := dist.NewReducer(c, t.params, 0, statCount)
	if err != nil {
		return fmt.Errorf("train: sharing the gradients' buffer: %w", err)
	}
	d := &distributed{comm: c, reducer: red}
	// The gradients are now views of the reducer's buffer (in memory the
	// ranks share, on one machine): the tensors they replace are garbage
	// as large as the model. Returning them now keeps them out of every
	// rank's resident set for the whole run.
	debug.FreeOSMemory()
	t.loader.SetShard(c.Rank(), c.Size())
	t.graph.GradReady = d.reducer.Ready
	t.dist = d
	return nil
}

// SetBucketBytes regroups the gradients into all-reduce buckets of about
// n bytes (dist.DefaultBucketBytes unless set); a size past the model's
// gradients makes one bucket, reduced only after backward (no overlap), as
// a benchmark's baseline.
func (t *Trainer) SetBucketBytes(n int) {
	if t.dist == nil {
		return
	}
	t.dist.reducer.Regroup(n)
}

// SetSharedSum chooses how ranks that share one machine's memory sum
// their gradients' buckets: in place in the shared buffer (on, the
// default) or with MPI's all-reduces (off); both start during backward. It reports
// whether the sum is in place: false, whatever on is, for ranks that do
// not share memory and for a single process.
func (t *Trainer) SetSharedSum(on bool) bool {
	if t.dist == nil {
		return false
	}
	return t.dist.reducer.SetShared(on)
}

// ranks returns the number of ranks the run trains on.
func (t *Trainer) ranks() int {
	if t.dist == nil {
		return 1
	}
	return t.dist.comm.Size()
}

// checkRanks refuses a checkpoint written by another number of ranks: its
// data shards, and so its bits, would not continue the same run.
func (t *Trainer) checkRanks(path string, written int) error {
	written = max(written, 1)
	if written == t.ranks() {
		return nil
	}
	how := fmt.Sprintf("mpirun -np %d descent train --distributed --resume DIR", written)
	if written == 1 {
		how = "descent train --resume DIR, without mpirun"
	}
	return fmt.Errorf("%s: checkpoint was written by %d rank(s), this job has %d: resume it with %s", path, written, t.ranks(), how)
}

// startDistributed copies rank 0's weights to every rank.
func (t *Trainer) startDistributed(ctx context.Context) error {
	if t.dist == nil {
		return nil
	}
	t.dist.ctx = ctx
	return dist.BroadcastParams(t.dist.comm, t.params, 0)
}

// cancelled reports whether the run should stop for ctx: in a distributed
// run, whether any rank was cancelled, as all ranks agreed in the last step.
func (t *Trainer) cancelled(ctx context.Context) bool {
	if t.dist == nil {
		return ctx.Err() != nil
	}
	return t.dist.stop
}

// globalBatch returns the number of examples of the global batch i.
func (t *Trainer) globalBatch(i int) int {
	size := t.loader.BatchSize()
	return min((i+1)*size, t.Train.Len()) - i*size
}

// shareBegin starts a step's gradient average in a distributed run.
func (t *Trainer) shareBegin() {
	d := t.dist
	if d == nil {
		return
	}
	d.reducer.Begin(1)
	st := d.reducer.Stats // summed with the last bucket: set before Backward
	if d.ctx != nil && d.ctx.Err() != nil {
		st[statStop] = 1
	}
}

// shareLoss returns the loss whose gradients a rank contributes: its own,
// weighted by its share of the global batch, so that the ranks' sum is
// the gradient of the batch's mean loss. The share multiplies the loss
// rather than the gradients: backward is linear in the loss's gradient,
// so every gradient comes out scaled without a pass over them (to the
// same bits as scaling them after, when the share is a power of two: an
// even split over 2 or 4 ranks). It also puts the rank's loss sum and its
// correct predictions since correct into the numbers summed with the last
// bucket, which may be summed during backward. In one process it is loss.
func (t *Trainer) shareLoss(loss *autograd.Var[float32], examples, correct int) *autograd.Var[float32] {
	d := t.dist
	if d == nil {
		return loss
	}
	st := d.reducer.Stats
	st[statLoss] = float32(float64(loss.Value.Item()) * float64(examples))
	st[statCorrect] = float32(t.pos.Correct - correct)
	t.pos.Correct = correct
	return t.graph.MulScalar(loss, float64(examples)/float64(t.globalBatch(t.pos.Batch)))
}

// shareGradients waits for the average of the ranks' gradients (the
// reducer started summing its buckets during backward) and returns the
// global batch's mean loss and size, adding every rank's correct
// predictions to the count; in one process it returns loss and examples.
func (t *Trainer) shareGradients(loss float64, examples int) (float64, int, error) {
	d := t.dist
	if d == nil {
		return loss, examples, nil
	}
	if err := d.reducer.Finish(); err != nil {
		return 0, 0, fmt.Errorf("train: averaging gradients: %w", err)
	}
	st := d.reducer.Stats
	global := t.globalBatch(t.pos.Batch)
	d.stop = st[statStop] > 0
	t.pos.Correct += int(st[statCorrect])
	return float64(st[statLoss]) / float64(global), global, nil
}

// evaluate returns the test loss and accuracy; in a distributed run rank
// 0 evaluates and broadcasts them, so that every rank steps the plateau
// schedule alike.
func (t *Trainer) evaluate() (loss, accuracy float64, err error) {
	if t.dist == nil {
		loss, accuracy = t.Evaluate(t.Test)
		return loss, accuracy, nil
	}
	e := t.dist.eval[:]
	if t.dist.comm.Rank() == 0 {
		loss, accuracy = t.Evaluate(t.Test)
		putFloat64(e[0:2], loss)
		putFloat64(e[2:4], accuracy)
	}
	if err := t.dist.comm.Broadcast(e, 0); err != nil {
		return 0, 0, fmt.Errorf("train: sharing the evaluation: %w", err)
	}
	return getFloat64(e[0:2]), getFloat64(e[2:4]), nil
}

// putFloat64 stores x's bits in two float32 slots (a broadcast moves bits
// unchanged); getFloat64 reads them back.
func putFloat64(dst []float32, x float64) {
	b := math.Float64bits(x)
	dst[0], dst[1] = math.Float32frombits(uint32(b>>32)), math.Float32frombits(uint32(b))
}

func getFloat64(src []float32) float64 {
	return math.Float64frombits(uint64(math.Float32bits(src[0]))<<32 | uint64(math.Float32bits(src[1])))
}
