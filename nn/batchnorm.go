package nn

import (
	"fmt"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// BatchNormOptions configure NewBatchNorm1d and NewBatchNorm2d. The zero
// value is PyTorch's default: eps 1e-5, momentum 0.1, affine, and tracking
// running statistics.
type BatchNormOptions struct {
	// Eps is added to the variance before the square root; 0 means 1e-5.
	Eps float64
	// Momentum is the weight of each new batch in the running statistics,
	// running = (1 − momentum)·running + momentum·batch; 0 means 0.1
	// (PyTorch's momentum=0, statistics that never move, is not offered).
	Momentum float64
	// CumulativeAverage makes the running statistics the plain average over
	// all batches so far (PyTorch's momentum=None).
	CumulativeAverage bool
	// NoAffine leaves out weight and bias (affine=False).
	NoAffine bool
	// NoRunningStats keeps no running statistics and normalizes with the
	// batch's statistics in evaluation mode too (track_running_stats=False).
	NoRunningStats bool
}

// batchNorm is what BatchNorm1d and BatchNorm2d share: PyTorch's
// _BatchNorm (Ioffe & Szegedy, "Batch Normalization: Accelerating Deep
// Network Training by Reducing Internal Covariate Shift", 2015,
// arXiv:1502.03167).
type batchNorm[T Float] struct {
	Weight, Bias *autograd.Var[T] // [C], nil without affine

	// RunningMean and RunningVar ([C]) estimate the data's statistics for
	// evaluation mode; the variance is the unbiased one, as in PyTorch.
	// NumBatchesTracked counts the training batches seen. All three are
	// nil without running statistics.
	RunningMean, RunningVar *tensor.Tensor[T]
	NumBatchesTracked       []int64 // one element

	opts           BatchNormOptions
	mean, batchVar *tensor.Tensor[T] // the last batch's statistics (scratch)
	buffers        []*NamedTensor[T]
	training       bool
	inDims, altIn  int // accepted input ranks
	kind           string
}

func newBatchNorm[T Float](kind string, c int, opts BatchNormOptions) (batchNorm[T], error) {
	if c <= 0 {
		return batchNorm[T]{}, fmt.Errorf("nn: %s(%d): the number of features must be positive", kind, c)
	}
	if opts.Eps < 0 || opts.Momentum < 0 || opts.Momentum > 1 {
		return batchNorm[T]{}, fmt.Errorf("nn: %s: eps %v and momentum %v, want eps >= 0 and momentum in [0, 1]", kind, opts.Eps, opts.Momentum)
	}
	if opts.Eps == 0 {
		opts.Eps = 1e-5
	}
	if opts.Momentum == 0 {
		opts.Momentum = 0.1
	}
	b := batchNorm[T]{opts: opts, training: true, kind: kind,
		mean: tensor.New[T](c), batchVar: tensor.New[T](c)}
	if !opts.NoAffine {
		w := tensor.New[T](c)
		w.Fill(1)
		b.Weight = autograd.NewParam(w, "weight")
		b.Bias = autograd.NewParam(tensor.New[T](c), "bias")
	}
	if !opts.NoRunningStats {
		b.RunningMean, b.RunningVar = tensor.New[T](c), tensor.New[T](c)
		b.RunningVar.Fill(1)
		b.NumBatchesTracked = make([]int64, 1)
		b.buffers = []*NamedTensor[T]{
			{Name: "running_mean", Tensor: b.RunningMean},
			{Name: "running_var", Tensor: b.RunningVar},
			{Name: "num_batches_tracked", Int64: b.NumBatchesTracked},
		}
	}
	return b, nil
}

// forward normalizes x with the batch's statistics in training mode (and
// updates the running ones) or with the running statistics in evaluation
// mode, as torch.nn.functional.batch_norm.
func (b *batchNorm[T]) forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	if d := x.Value.Dims(); d != b.inDims && d != b.altIn {
		panic(fmt.Sprintf("nn: %s: input of shape %v, want %s", b.kind, x.Shape(), b.wantShape()))
	}
	if c := b.mean.Len(); x.Value.Dim(1) != c {
		panic(fmt.Sprintf("nn: %s(%d): input of shape %v has %d channels", b.kind, c, x.Shape(), x.Value.Dim(1)))
	}
	if !b.training && b.RunningMean != nil {
		return g.BatchNormEval(x, b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.opts.Eps)
	}
	y := g.BatchNorm(x, b.Weight, b.Bias, b.opts.Eps, b.mean, b.batchVar)
	if b.training && b.RunningMean != nil {
		b.update(x.Value.Len() / b.mean.Len())
	}
	return y
}

// update folds the last batch's statistics (m values per channel) into the
// running ones; the variance enters unbiased, ·m/(m−1).
func (b *batchNorm[T]) update(m int) {
	b.NumBatchesTracked[0]++
	f := b.opts.Momentum
	if b.opts.CumulativeAverage {
		f = 1 / float64(b.NumBatchesTracked[0])
	}
	rm, rv := b.RunningMean.Data(), b.RunningVar.Data()
	unbias := float64(m) / float64(m-1)
	for c, mu := range b.mean.Data() {
		rm[c] = T((1-f)*float64(rm[c]) + f*float64(mu))
		rv[c] = T((1-f)*float64(rv[c]) + f*float64(b.batchVar.Data()[c])*unbias)
	}
}

func (b *batchNorm[T]) wantShape() string {
	if b.altIn == 3 {
		return "[N, C] or [N, C, L]"
	}
	return "[N, C, H, W]"
}

// Parameters returns weight and bias (none without affine).
func (b *batchNorm[T]) Parameters() []*autograd.Var[T] {
	if b.Weight == nil {
		return nil
	}
	return []*autograd.Var[T]{b.Weight, b.Bias}
}

// Buffers returns running_mean, running_var and num_batches_tracked, the
// state PyTorch saves beside the parameters (none without running
// statistics).
func (b *batchNorm[T]) Buffers() []*NamedTensor[T] { return b.buffers }

// SetTraining chooses the batch's statistics (training) or the running ones
// (evaluation).
func (b *batchNorm[T]) SetTraining(on bool) { b.training = on }

// Training reports whether the layer is in training mode.
func (b *batchNorm[T]) Training() bool { return b.training }

// BatchNorm1d is PyTorch's nn.BatchNorm1d: batch normalization of [N, C]
// or [N, C, L] inputs per feature C. In training mode it normalizes with
// the batch's mean and biased variance and updates the running statistics;
// in evaluation mode it uses the running ones. Like a PyTorch module it
// starts in training mode.
type BatchNorm1d[T Float] struct{ batchNorm[T] }

// NewBatchNorm1d returns a BatchNorm1d over c features: weight 1, bias 0,
// running mean 0 and running variance 1.
func NewBatchNorm1d[T Float](c int, opts BatchNormOptions) (*BatchNorm1d[T], error) {
	b, err := newBatchNorm[T]("BatchNorm1d", c, opts)
	if err != nil {
		return nil, err
	}
	b.inDims, b.altIn = 2, 3
	return &BatchNorm1d[T]{b}, nil
}

// Forward normalizes x ([N, C] or [N, C, L]).
func (b *BatchNorm1d[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	return b.forward(g, x)
}
