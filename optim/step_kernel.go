package optim

import (
	"unsafe"

	"github.com/descent-ml/descent/internal/kernel"
)

// float32 parameters take the fused SIMD steps of internal/kernel, which
// make one pass over memory (AVX-512 or AVX2, split over the kernel's
// worker pool for large tensors) in PyTorch 1.13's order of operations;
// the generic loops of sgd.go and adam.go stay the specification, and
// float64 (the golden trajectories, `descent trace`) keeps them. The
// kernels lack the rarely used maximize and amsgrad flags, which therefore
// also keep the generic loop.

// is32 reports whether T is float32. It is a constant per instantiation.
func is32[T Float]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

// sgdFast applies s's SGD update with kernel.SGDStep and reports whether it
// could (float32, no maximize).
func (o *SGD[T]) sgdFast(s *slot[T], fresh bool) bool {
	if !is32[T]() || o.cfg.Maximize {
		return false
	}
	kernel.SGDStep(s.v.Value.Data(), s.v.Grad.Data(), s.data(0), kernel.SGDParams{
		LR: s.group.LR, Momentum: o.cfg.Momentum, Dampening: o.cfg.Dampening,
		WeightDecay: s.group.WeightDecay, Nesterov: o.cfg.Nesterov}, fresh)
	return true
}

// adamFast applies s's Adam or AdamW update with kernel.AdamStep and
// reports whether it could (float32, neither amsgrad nor maximize).
func (o *Adam[T]) adamFast(s *slot[T]) bool {
	if !is32[T]() || o.cfg.Amsgrad || o.cfg.Maximize {
		return false
	}
	kernel.AdamStep(s.v.Value.Data(), s.v.Grad.Data(), s.data(0), s.data(1), kernel.AdamParams{
		LR: s.group.LR, Beta1: o.cfg.Beta1, Beta2: o.cfg.Beta2, Eps: o.cfg.Eps,
		WeightDecay: s.group.WeightDecay, Decoupled: o.name == "adamw"}, s.step)
	return true
}
