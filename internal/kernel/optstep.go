package kernel

import (
	"math"
	"unsafe"
)

// Fused optimizer steps: one pass over the parameter, gradient and state
// arrays, which is what bounds their speed (memory traffic). They follow
// PyTorch 1.13's single-tensor implementations (torch/optim/adam.py,
// adamw.py, sgd.py) operation by operation; the hyperparameters arrive as
// float64, like Python floats, and the derived scalars are computed in
// float64 and then rounded to T, as ATen does when it hands a Python scalar
// to a float32 kernel. Where ATen's vectorized CPU loop fuses a multiply-add
// (add_ with alpha), these do not, so float32 results may differ from
// PyTorch's by an ulp or so per step (testdata/optstep.json checks 2e-6
// relative).

// AdamParams are the hyperparameters of Adam (Kingma & Ba, "Adam: A Method
// for Stochastic Optimization", 2014, arXiv:1412.6980) and AdamW (Loshchilov
// & Hutter, "Decoupled Weight Decay Regularization", 2017,
// arXiv:1711.05101), as torch.optim.Adam and AdamW take them.
type AdamParams struct {
	LR, Beta1, Beta2, Eps float64
	// WeightDecay is added to the gradient as WeightDecay*p (Adam's L2
	// penalty) or, with Decoupled, shrinks the weights by LR*WeightDecay
	// before the step (AdamW).
	WeightDecay float64
	Decoupled   bool
	Maximize    bool // ascend: the gradient is negated first
}

// adamCoef holds Adam's per-step scalars in T; adamCoef[float32] is the
// layout the assembly reads (asmgen/vector.go).
type adamCoef[T Float] struct {
	beta1, omb1, beta2, omb2, bc2sqrt, eps, negStep, wd, decay T
	flags                                                      uint32 // bit 0: L2 weight decay, bit 1: maximize, bit 2: AMSGrad
}

// AdamStep applies Adam step number step (1 for the first) to the parameters
// p with gradient g and moment estimates m and v, all updated in place;
// vmax is AMSGrad's running maximum of v, nil without AMSGrad:
//
//	p = p * T(1 - lr*wd)                      (Decoupled only)
//	g' = -g (Maximize), then g' = g' + T(wd*p) (WeightDecay != 0, not Decoupled)
//	m = T(beta1*m) + T(T(1-beta1)*g')
//	v = T(beta2*v) + T(T(T(1-beta2)*g')*g')
//	vmax = vmax > v ? vmax : v, v' = vmax     (AMSGrad; else v' = v)
//	denom = T(sqrt(v') / T(sqrt(1-beta2^step))) + eps
//	p = p + T(T(-lr/(1-beta1^step) * m) / denom)
//
// every operation rounded to T in this order (adamSpec is the loop). AMSGrad's
// maximum is MAXPS's (v when either is NaN; a NaN v stays NaN, so a NaN
// sticks as with PyTorch's torch.maximum). float32 runs in assembly where
// the CPU has AVX2 or AVX-512, every option, bit-identical to the loop,
// split over Threads() goroutines for large arrays. It panics if the
// lengths differ or step < 1.
func AdamStep[T Float](p, g, m, v, vmax []T, h AdamParams, step int) {
	if len(g) != len(p) || len(m) != len(p) || len(v) != len(p) || vmax != nil && len(vmax) != len(p) {
		badLengths("AdamStep", "g, m, v or vmax", max(len(g), len(m), len(v), len(vmax)), "p", len(p))
	}
	if step < 1 {
		panic("kernel: AdamStep: step must be at least 1")
	}
	decay := 1.0
	var flags uint32
	if h.WeightDecay != 0 {
		if h.Decoupled {
			decay = 1 - h.LR*h.WeightDecay
		} else {
			flags = 1
		}
	}
	if h.Maximize {
		flags |= 2
	}
	if vmax != nil {
		flags |= 4
	}
	c := adamCoef[T]{
		beta1: T(h.Beta1), omb1: T(1 - h.Beta1),
		beta2: T(h.Beta2), omb2: T(1 - h.Beta2),
		bc2sqrt: T(math.Sqrt(1 - math.Pow(h.Beta2, float64(step)))),
		eps:     T(h.Eps),
		negStep: T(-(h.LR / (1 - math.Pow(h.Beta1, float64(step))))),
		wd:      T(h.WeightDecay), decay: T(decay), flags: flags,
	}
	if isFloat32(T(0)) {
		step32(optJob{kind: kindAdam, p: as32(p), g: as32(g), a: as32(m), b: as32(v), c: as32(vmax),
			adam: *(*adamCoef[float32])(unsafe.Pointer(&c))})
		return
	}
	adamSpec(p, g, m, v, vmax, &c)
}

// adamSpec is the Adam loop, the specification of the assembly.
func adamSpec[T Float](p, g, m, v, vmax []T, c *adamCoef[T]) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	if vmax != nil {
		vmax = vmax[:len(p)]
	}
	for i := range p {
		pi := p[i] * c.decay
		gi := g[i]
		if c.flags&2 != 0 {
			gi = -gi
		}
		if c.flags&1 != 0 {
			gi += T(c.wd * pi)
		}
		mi := T(c.beta1*m[i]) + T(c.omb1*gi)
		vi := T(c.beta2*v[i]) + T(T(c.omb2*gi)*gi)
		m[i], v[i] = mi, vi
		if vmax != nil {
			if vmax[i] > vi {
				vi = vmax[i]
			}
			vmax[i] = vi
		}
		denom := T(T(math.Sqrt(float64(vi)))/c.bc2sqrt) + c.eps
		p[i] = pi + T(T(c.negStep*mi)/denom)
	}
}

// SGDParams are the hyperparameters of torch.optim.SGD: momentum (Polyak,
// 1964) with dampening, Nesterov momentum (Sutskever et al., 2013, PyTorch's
// form) and L2 weight decay.
type SGDParams struct {
	LR, Momentum, Dampening, WeightDecay float64
	Nesterov                             bool
	Maximize                             bool // ascend: the gradient is negated first
}

// sgdCoef holds SGD's scalars in T; sgdCoef[float32] is the layout the
// assembly reads (asmgen/vector.go).
type sgdCoef[T Float] struct {
	momentum, omd, negLR, wd T
	flags                    uint32 // bits: 1 L2, 2 momentum, 4 first step, 8 Nesterov, 16 maximize
}

// SGDStep applies one SGD step to p with gradient g and momentum buffer buf
// (unused, may be nil, when Momentum is 0), in place:
//
//	d = -g (Maximize), then d = d + T(wd*p)     (WeightDecay != 0)
//	buf = d                                      (first step)
//	buf = T(momentum*buf) + T(T(1-dampening)*d)  (later steps)
//	d = d + T(momentum*buf)  (Nesterov)  or  d = buf
//	p = p + T(-lr*d)
//
// every operation rounded to T in this order (sgdSpec is the loop); first
// marks the step that creates the buffer, as PyTorch's momentum_buffer None.
// float32 runs in assembly like AdamStep, every option. It panics if the
// lengths differ.
func SGDStep[T Float](p, g, buf []T, h SGDParams, first bool) {
	s := sgdCoef[T]{momentum: T(h.Momentum), omd: T(1 - h.Dampening), negLR: T(-h.LR), wd: T(h.WeightDecay)}
	if h.WeightDecay != 0 {
		s.flags |= 1
	}
	if h.Momentum != 0 {
		s.flags |= 2
		if first {
			s.flags |= 4
		}
		if h.Nesterov {
			s.flags |= 8
		}
		if len(buf) != len(p) {
			badLengths("SGDStep", "buf", len(buf), "p", len(p))
		}
	} else {
		buf = p // not read or written; keeps the assembly's pointer valid
	}
	if len(g) != len(p) {
		badLengths("SGDStep", "g", len(g), "p", len(p))
	}
	if h.Maximize {
		s.flags |= 16
	}
	if isFloat32(T(0)) {
		step32(optJob{kind: kindSGD, p: as32(p), g: as32(g), a: as32(buf), sgd: *(*sgdCoef[float32])(unsafe.Pointer(&s))})
		return
	}
	sgdSpec(p, g, buf, &s)
}

// sgdSpec is the SGD loop, the specification of the assembly.
func sgdSpec[T Float](p, g, buf []T, c *sgdCoef[T]) {
	g, buf = g[:len(p)], buf[:len(p)]
	for i := range p {
		d := g[i]
		if c.flags&16 != 0 {
			d = -d
		}
		if c.flags&1 != 0 {
			d += T(c.wd * p[i])
		}
		if c.flags&2 != 0 {
			b := d
			if c.flags&4 == 0 {
				b = T(c.momentum*buf[i]) + T(c.omd*d)
			}
			buf[i] = b
			if c.flags&8 != 0 {
				d += T(c.momentum * b)
			} else {
				d = b
			}
		}
		p[i] += T(c.negLR * d)
	}
}

// optKind selects the rule an optJob runs.
type optKind uint8

const (
	kindSGD optKind = iota
	kindAdam
	kindAdagrad
	kindRMSprop
	kindAdadelta
	kindAdamax
	kindNAdam
	kindRAdam
	kindLookahead
)

// optJob is a float32 optimizer step, run whole or split into chunks of
// whole vectors: the parameter p, its gradient g and up to three state
// arrays a, b, c (nil when unused), with the coefficients of its rule.
type optJob struct {
	kind     optKind
	p, g     []float32
	a, b, c  []float32
	adam     adamCoef[float32]
	sgd      sgdCoef[float32]
	adagrad  adagradCoef[float32]
	rmsprop  rmspropCoef[float32]
	adadelta adadeltaCoef[float32]
	adamax   adamaxCoef[float32]
	nadam    nadamCoef[float32]
	radam    radamCoef[float32]
	alpha    float32 // Lookahead's
	chunk    int
}

var opt32 optJob // the parallel step in progress, guarded by poolMu

func (j *optJob) run(_ *packBuf, part int) {
	lo, hi, ok := partRange(part, j.chunk, len(j.p))
	if !ok {
		return
	}
	j.serial(lo, hi)
}

// sub returns s[lo:hi], or nil for an unused array.
func sub(s []float32, lo, hi int) []float32 {
	if s == nil {
		return nil
	}
	return s[lo:hi]
}

// serial runs the job over elements [lo, hi) on this goroutine.
func (j *optJob) serial(lo, hi int) {
	p, g, a, b, c := j.p[lo:hi], sub(j.g, lo, hi), sub(j.a, lo, hi), sub(j.b, lo, hi), sub(j.c, lo, hi)
	switch j.kind {
	case kindSGD:
		sgd32Serial(p, g, a, &j.sgd)
	case kindAdam:
		adam32Serial(p, g, a, b, c, &j.adam)
	case kindAdagrad:
		adagrad32Serial(p, g, a, &j.adagrad)
	case kindRMSprop:
		rmsprop32Serial(p, g, a, b, c, &j.rmsprop)
	case kindAdadelta:
		adadelta32Serial(p, g, a, b, &j.adadelta)
	case kindAdamax:
		adamax32Serial(p, g, a, b, &j.adamax)
	case kindNAdam:
		nadam32Serial(p, g, a, b, &j.nadam)
	case kindRAdam:
		radam32Serial(p, g, a, b, &j.radam)
	case kindLookahead:
		lookahead32Serial(p, a, j.alpha)
	}
}

// step32 runs j over Threads() goroutines when the array is long and the
// workers are free, else on this goroutine.
func step32(j optJob) {
	if !parallelStep(j) {
		j.serial(0, len(j.p))
	}
}

// minParallelStep is the array length from which a step is split over
// goroutines: below it the hand-off costs more than the second core saves.
const minParallelStep = 1 << 16

// stepSplit returns how many parts a parameter of n elements is split
// into by the optimizer steps (and by Zero) and each part's length, whole
// vectors: one contiguous block per core, the same block of the same
// parameter every step, so each core keeps its block in its cache.
func stepSplit(n int) (parts, chunk int) {
	parts = min(Threads(), n/minParallelStep+1)
	chunk = ((n+parts-1)/parts + 63) &^ 63
	return parts, chunk
}

// parallelStep runs j over Threads() goroutines if the array is long and
// the workers are free, and reports whether it did. j is passed by value so
// that the caller's coefficients stay on its stack.
func parallelStep(j optJob) bool {
	parts, chunk := stepSplit(len(j.p))
	if parts < 2 || acquire() == nil {
		return false
	}
	defer release()
	j.chunk = chunk
	opt32 = j
	runParts(&opt32, parts)
	opt32 = optJob{}
	return true
}
