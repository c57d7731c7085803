package nn

import "github.com/descent-ml/descent/autograd"

// CrossEntropyLoss is PyTorch's F.cross_entropy with class-index targets
// and mean reduction: the mean over the batch of -log softmax(logits)[target].
// logits is [N, C]; targets holds N class indices in [0, C). Log-softmax and
// NLL are fused, so large logits cannot overflow.
func CrossEntropyLoss[T Float](g *autograd.Graph[T], logits *autograd.Var[T], targets []int) *autograd.Var[T] {
	return g.CrossEntropy(logits, targets)
}
