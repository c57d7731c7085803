package nn

import "github.com/descent-ml/descent/autograd"

// The losses are PyTorch's functional losses with mean reduction, as plain
// functions of the graph: a loss has no parameters and no mode, so it needs
// no Module. Each is one fused autograd op, which computes it stably.

// CrossEntropyLoss is PyTorch's F.cross_entropy with class-index targets
// and mean reduction: the mean over the batch of -log softmax(logits)[target].
// logits is [N, C]; targets holds N class indices in [0, C). Log-softmax and
// NLL are fused, so large logits cannot overflow.
func CrossEntropyLoss[T Float](g *autograd.Graph[T], logits *autograd.Var[T], targets []int) *autograd.Var[T] {
	return g.CrossEntropy(logits, targets)
}

// NLLLoss is PyTorch's F.nll_loss with class-index targets and mean
// reduction: the mean over the batch of -logProbs[i, targets[i]]. logProbs
// is [N, C], usually a LogSoftmax output; LogSoftmax then NLLLoss equals
// CrossEntropyLoss.
func NLLLoss[T Float](g *autograd.Graph[T], logProbs *autograd.Var[T], targets []int) *autograd.Var[T] {
	return g.NLL(logProbs, targets)
}

// MSELoss is PyTorch's F.mse_loss with mean reduction: the mean of
// (pred - target)² over all elements. pred and target have the same shape.
func MSELoss[T Float](g *autograd.Graph[T], pred, target *autograd.Var[T]) *autograd.Var[T] {
	return g.MSE(pred, target)
}

// BCEWithLogitsLoss is PyTorch's F.binary_cross_entropy_with_logits with
// mean reduction: binary cross-entropy between sigmoid(logits) and targets
// in [0, 1] of the same shape, fused so that no logit overflows.
func BCEWithLogitsLoss[T Float](g *autograd.Graph[T], logits, targets *autograd.Var[T]) *autograd.Var[T] {
	return g.BCEWithLogits(logits, targets)
}
