package kernel

import (
	"math"
	"unsafe"
)

// The fused steps of the other optimizers of torch.optim (and Lookahead's
// synchronization), in the style of AdamStep: hyperparameters in float64,
// rounded to T once per step; every operation rounded to T in the order of
// PyTorch 1.13's single-tensor loops (2.x for NAdam); each XSpec loop is
// the specification, and the only loop the optimizers run for float64.
// float32 steps run in assembly where the CPU has AVX2 or AVX-512, every
// flag combination, bit-identical to the spec, split over Threads()
// goroutines for large arrays.
//
// Shared coefficient flags: bit 0 adds the L2 penalty wd*p to the
// gradient, bit 1 negates the gradient first (maximize).

// flagsOf returns the shared flag bits.
func flagsOf(weightDecay float64, maximize bool) uint32 {
	var f uint32
	if weightDecay != 0 {
		f |= 1
	}
	if maximize {
		f |= 2
	}
	return f
}

// gradOf returns the gradient the rules work with: -g when maximizing,
// plus T(wd*p) with weight decay.
func gradOf[T Float](g, p, wd T, flags uint32) T {
	if flags&2 != 0 {
		g = -g
	}
	if flags&1 != 0 {
		g += T(wd * p)
	}
	return g
}

// AdagradParams are torch.optim.Adagrad's hyperparameters for one step;
// LR is the decayed rate lr/(1+(t-1)*lr_decay).
type AdagradParams struct {
	LR, Eps, WeightDecay float64
	Maximize             bool
}

type adagradCoef[T Float] struct {
	negLR, eps, wd T
	flags          uint32
}

// AdagradStep applies one Adagrad step (Duchi et al., 2011) in place:
//
//	sum = sum + T(g*g)
//	p = p + T(T(-lr*g) / T(T(sqrt(sum)) + eps))
func AdagradStep[T Float](p, g, sum []T, h AdagradParams) {
	if len(g) != len(p) || len(sum) != len(p) {
		badLengths("AdagradStep", "g or sum", max(len(g), len(sum)), "p", len(p))
	}
	c := adagradCoef[T]{negLR: T(-h.LR), eps: T(h.Eps), wd: T(h.WeightDecay), flags: flagsOf(h.WeightDecay, h.Maximize)}
	if isFloat32(T(0)) {
		step32(optJob{kind: kindAdagrad, p: as32(p), g: as32(g), a: as32(sum), adagrad: *(*adagradCoef[float32])(unsafe.Pointer(&c))})
		return
	}
	adagradSpec(p, g, sum, &c)
}

func adagradSpec[T Float](p, g, sum []T, c *adagradCoef[T]) {
	g, sum = g[:len(p)], sum[:len(p)]
	for i := range p {
		gi := gradOf(g[i], p[i], c.wd, c.flags)
		sum[i] += T(gi * gi)
		std := T(math.Sqrt(float64(sum[i]))) + c.eps
		p[i] += T(T(c.negLR*gi) / std)
	}
}

// RMSpropParams are torch.optim.RMSprop's hyperparameters.
type RMSpropParams struct {
	LR, Alpha, Eps, WeightDecay, Momentum float64
	Centered, Maximize                    bool
}

type rmspropCoef[T Float] struct {
	alpha, oma, eps, negLR, wd, mu T
	flags                          uint32 // shared bits; 4 centered, 8 momentum
}

// RMSpropStep applies one RMSprop step (Tieleman & Hinton, 2012) in place;
// buf (the momentum buffer) is used when Momentum > 0 and gavg (the mean
// gradient) when Centered, else they may be nil:
//
//	sq = T(alpha*sq) + T(T((1-alpha)*g)*g)
//	gavg = T(alpha*gavg) + T((1-alpha)*g); avg = T(sqrt(T(sq - T(gavg*gavg)))) + eps  (centered)
//	avg = T(sqrt(sq)) + eps                                                     (otherwise)
//	buf = T(mu*buf) + T(g/avg); p = p + T(-lr*buf)   (momentum)
//	p = p + T(T(-lr*g)/avg)                          (otherwise)
func RMSpropStep[T Float](p, g, sq, buf, gavg []T, h RMSpropParams) {
	c := rmspropCoef[T]{alpha: T(h.Alpha), oma: T(1 - h.Alpha), eps: T(h.Eps), negLR: T(-h.LR),
		wd: T(h.WeightDecay), mu: T(h.Momentum), flags: flagsOf(h.WeightDecay, h.Maximize)}
	if h.Centered {
		c.flags |= 4
	} else {
		gavg = nil
	}
	if h.Momentum > 0 {
		c.flags |= 8
	} else {
		buf = nil
	}
	if len(g) != len(p) || len(sq) != len(p) || h.Centered && len(gavg) != len(p) || h.Momentum > 0 && len(buf) != len(p) {
		badLengths("RMSpropStep", "g, sq, buf or gavg", max(len(g), len(sq), len(buf), len(gavg)), "p", len(p))
	}
	if isFloat32(T(0)) {
		step32(optJob{kind: kindRMSprop, p: as32(p), g: as32(g), a: as32(sq), b: as32(buf), c: as32(gavg),
			rmsprop: *(*rmspropCoef[float32])(unsafe.Pointer(&c))})
		return
	}
	rmspropSpec(p, g, sq, buf, gavg, &c)
}

func rmspropSpec[T Float](p, g, sq, buf, gavg []T, c *rmspropCoef[T]) {
	g, sq = g[:len(p)], sq[:len(p)]
	for i := range p {
		gi := gradOf(g[i], p[i], c.wd, c.flags)
		sq[i] = T(sq[i]*c.alpha) + T(T(c.oma*gi)*gi)
		var avg T
		if c.flags&4 != 0 {
			gavg[i] = T(gavg[i]*c.alpha) + T(c.oma*gi)
			avg = T(math.Sqrt(float64(sq[i] - T(gavg[i]*gavg[i]))))
		} else {
			avg = T(math.Sqrt(float64(sq[i])))
		}
		avg += c.eps
		if c.flags&8 != 0 {
			buf[i] = T(buf[i]*c.mu) + T(gi/avg)
			p[i] += T(c.negLR * buf[i])
		} else {
			p[i] += T(T(c.negLR*gi) / avg)
		}
	}
}

// AdadeltaParams are torch.optim.Adadelta's hyperparameters.
type AdadeltaParams struct {
	LR, Rho, Eps, WeightDecay float64
	Maximize                  bool
}

type adadeltaCoef[T Float] struct {
	rho, omr, eps, negLR, wd T
	flags                    uint32
}

// AdadeltaStep applies one Adadelta step (Zeiler, 2012) in place:
//
//	sq = T(rho*sq) + T(T((1-rho)*g)*g)
//	delta = T(T(sqrt(T(acc+eps))) / T(sqrt(T(sq+eps)))) * g
//	acc = T(rho*acc) + T(T((1-rho)*delta)*delta)
//	p = p + T(-lr*delta)
func AdadeltaStep[T Float](p, g, sq, acc []T, h AdadeltaParams) {
	if len(g) != len(p) || len(sq) != len(p) || len(acc) != len(p) {
		badLengths("AdadeltaStep", "g, sq or acc", max(len(g), len(sq), len(acc)), "p", len(p))
	}
	c := adadeltaCoef[T]{rho: T(h.Rho), omr: T(1 - h.Rho), eps: T(h.Eps), negLR: T(-h.LR), wd: T(h.WeightDecay),
		flags: flagsOf(h.WeightDecay, h.Maximize)}
	if isFloat32(T(0)) {
		step32(optJob{kind: kindAdadelta, p: as32(p), g: as32(g), a: as32(sq), b: as32(acc), adadelta: *(*adadeltaCoef[float32])(unsafe.Pointer(&c))})
		return
	}
	adadeltaSpec(p, g, sq, acc, &c)
}

func adadeltaSpec[T Float](p, g, sq, acc []T, c *adadeltaCoef[T]) {
	g, sq, acc = g[:len(p)], sq[:len(p)], acc[:len(p)]
	for i := range p {
		gi := gradOf(g[i], p[i], c.wd, c.flags)
		sq[i] = T(sq[i]*c.rho) + T(T(c.omr*gi)*gi)
		std := T(math.Sqrt(float64(sq[i] + c.eps)))
		delta := T(T(math.Sqrt(float64(acc[i]+c.eps)))/std) * gi
		acc[i] = T(acc[i]*c.rho) + T(T(c.omr*delta)*delta)
		p[i] += T(c.negLR * delta)
	}
}

// AdamaxParams are torch.optim.Adamax's hyperparameters for step t; LR is
// the bias-corrected rate lr/(1-beta1^t).
type AdamaxParams struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64
	Maximize                           bool
}

type adamaxCoef[T Float] struct {
	b1, omb1, b2, eps, negLR, wd T
	flags                        uint32
	absMask                      uint32 // 0x7fffffff, for the assembly's |g|
}

// AdamaxStep applies one Adamax step (Kingma & Ba, 2014, Algorithm 2) in
// place:
//
//	m = T(b1*m) + T((1-b1)*g)
//	u = max(T(b2*u), T(|g| + eps))   (the second if either is NaN, as MAXPS)
//	p = p + T(T(-lr*m) / u)
func AdamaxStep[T Float](p, g, m, u []T, h AdamaxParams) {
	if len(g) != len(p) || len(m) != len(p) || len(u) != len(p) {
		badLengths("AdamaxStep", "g, m or u", max(len(g), len(m), len(u)), "p", len(p))
	}
	c := adamaxCoef[T]{b1: T(h.Beta1), omb1: T(1 - h.Beta1), b2: T(h.Beta2), eps: T(h.Eps), negLR: T(-h.LR),
		wd: T(h.WeightDecay), flags: flagsOf(h.WeightDecay, h.Maximize), absMask: 0x7fffffff}
	if isFloat32(T(0)) {
		step32(optJob{kind: kindAdamax, p: as32(p), g: as32(g), a: as32(m), b: as32(u), adamax: *(*adamaxCoef[float32])(unsafe.Pointer(&c))})
		return
	}
	adamaxSpec(p, g, m, u, &c)
}

func adamaxSpec[T Float](p, g, m, u []T, c *adamaxCoef[T]) {
	g, m, u = g[:len(p)], m[:len(p)], u[:len(p)]
	for i := range p {
		gi := gradOf(g[i], p[i], c.wd, c.flags)
		m[i] = T(m[i]*c.b1) + T(c.omb1*gi)
		x, y := T(u[i]*c.b2), T(T(math.Abs(float64(gi)))+c.eps)
		if !(x > y) {
			x = y
		}
		u[i] = x
		p[i] += T(T(c.negLR*m[i]) / u[i])
	}
}

// NAdamParams are NAdam's per-step coefficients: Bc2 = 1-beta2^t and the
// step sizes of the gradient and momentum terms, LRGrad =
// lr*(1-mu_t)/(1-P_t) and LRMomentum = lr*mu_{t+1}/(1-P_t*mu_{t+1}).
type NAdamParams struct {
	Beta1, Beta2, Eps, WeightDecay float64
	Bc2, LRGrad, LRMomentum        float64
	Maximize                       bool
}

type nadamCoef[T Float] struct {
	b1, omb1, b2, omb2, bc2, eps, cg, cm, wd T
	flags                                    uint32
}

// NAdamStep applies one NAdam step (Dozat, 2016; PyTorch 2.x's form) in
// place:
//
//	m = T(b1*m) + T((1-b1)*g);  v = T(b2*v) + T(T((1-b2)*g)*g)
//	d = T(sqrt(T(v/bc2))) + eps
//	p = p + T(T(-lrGrad*g)/d);  p = p + T(T(-lrMomentum*m)/d)
func NAdamStep[T Float](p, g, m, v []T, h NAdamParams) {
	if len(g) != len(p) || len(m) != len(p) || len(v) != len(p) {
		badLengths("NAdamStep", "g, m or v", max(len(g), len(m), len(v)), "p", len(p))
	}
	c := nadamCoef[T]{b1: T(h.Beta1), omb1: T(1 - h.Beta1), b2: T(h.Beta2), omb2: T(1 - h.Beta2), bc2: T(h.Bc2),
		eps: T(h.Eps), cg: T(-h.LRGrad), cm: T(-h.LRMomentum), wd: T(h.WeightDecay), flags: flagsOf(h.WeightDecay, h.Maximize)}
	if isFloat32(T(0)) {
		step32(optJob{kind: kindNAdam, p: as32(p), g: as32(g), a: as32(m), b: as32(v), nadam: *(*nadamCoef[float32])(unsafe.Pointer(&c))})
		return
	}
	nadamSpec(p, g, m, v, &c)
}

func nadamSpec[T Float](p, g, m, v []T, c *nadamCoef[T]) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := range p {
		gi := gradOf(g[i], p[i], c.wd, c.flags)
		m[i] = T(m[i]*c.b1) + T(c.omb1*gi)
		v[i] = T(v[i]*c.b2) + T(T(c.omb2*gi)*gi)
		d := T(math.Sqrt(float64(v[i]/c.bc2))) + c.eps
		p[i] += T(T(c.cg*gi) / d)
		p[i] += T(T(c.cm*m[i]) / d)
	}
}

// RAdamParams are RAdam's per-step coefficients: Bc1 = 1-beta1^t and, when
// the variance is tractable (rho_t > 5), the rectification Rect and
// Bc2Sqrt = sqrt(1-beta2^t); Rect = 0 takes the momentum-only step.
type RAdamParams struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64
	Bc1, Rect, Bc2Sqrt                 float64
	Maximize                           bool
}

type radamCoef[T Float] struct {
	b1, omb1, b2, omb2, eps, wd, bc1, lr, rect, bc2sqrt T
	flags                                               uint32
}

// RAdamStep applies one RAdam step (Liu et al., 2020) in place:
//
//	m = T(b1*m) + T((1-b1)*g);  v = T(b2*v) + T(T((1-b2)*g)*g);  mhat = T(m/bc1)
//	p = p - T(T(T(mhat*lr) * T(bc2sqrt/T(T(sqrt(v))+eps))) * rect)   (Rect != 0)
//	p = p - T(mhat*lr)                                               (otherwise)
func RAdamStep[T Float](p, g, m, v []T, h RAdamParams) {
	if len(g) != len(p) || len(m) != len(p) || len(v) != len(p) {
		badLengths("RAdamStep", "g, m or v", max(len(g), len(m), len(v)), "p", len(p))
	}
	c := radamCoef[T]{b1: T(h.Beta1), omb1: T(1 - h.Beta1), b2: T(h.Beta2), omb2: T(1 - h.Beta2), eps: T(h.Eps),
		wd: T(h.WeightDecay), bc1: T(h.Bc1), lr: T(h.LR), rect: T(h.Rect), bc2sqrt: T(h.Bc2Sqrt),
		flags: flagsOf(h.WeightDecay, h.Maximize)}
	if h.Rect != 0 {
		c.flags |= 4
	}
	if isFloat32(T(0)) {
		step32(optJob{kind: kindRAdam, p: as32(p), g: as32(g), a: as32(m), b: as32(v), radam: *(*radamCoef[float32])(unsafe.Pointer(&c))})
		return
	}
	radamSpec(p, g, m, v, &c)
}

func radamSpec[T Float](p, g, m, v []T, c *radamCoef[T]) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := range p {
		gi := gradOf(g[i], p[i], c.wd, c.flags)
		m[i] = T(m[i]*c.b1) + T(c.omb1*gi)
		v[i] = T(v[i]*c.b2) + T(T(c.omb2*gi)*gi)
		d := T(T(m[i]/c.bc1) * c.lr)
		if c.flags&4 != 0 {
			adaptive := c.bc2sqrt / (T(math.Sqrt(float64(v[i]))) + c.eps)
			d = T(T(d*adaptive) * c.rect)
		}
		p[i] -= d
	}
}

// LookaheadSync is Lookahead's synchronization (Zhang et al., 2019): the
// slow weights move a fraction alpha towards the fast ones, and the fast
// weights restart from them:
//
//	slow = slow + T(alpha*T(fast-slow));  fast = slow
func LookaheadSync[T Float](fast, slow []T, alpha float64) {
	if len(slow) != len(fast) {
		badLengths("LookaheadSync", "slow", len(slow), "fast", len(fast))
	}
	if isFloat32(T(0)) {
		step32(optJob{kind: kindLookahead, p: as32(fast), a: as32(slow), alpha: float32(alpha)})
		return
	}
	lookaheadSpec(fast, slow, T(alpha))
}

func lookaheadSpec[T Float](fast, slow []T, alpha T) {
	slow = slow[:len(fast)]
	for i := range fast {
		slow[i] += T(alpha * (fast[i] - slow[i]))
		fast[i] = slow[i]
	}
}
