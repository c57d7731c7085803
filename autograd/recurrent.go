package autograd

import (
	"fmt"

	"github.com/descent-ml/descent/internal/kernel"
)

// This file holds the fused recurrent layer: a whole RNN, LSTM or GRU
// layer (one direction, zero initial state) over a sequence as one node on
// the tape, as cuDNN and PyTorch's CPU kernels do. The caller computes the
// input part of every step as one product, xp = x·W_ihᵀ + b_ih (Linear;
// nn folds b_hh into that bias for the RNN and LSTM); the op then runs,
// per step, one GEMM that adds h·W_hhᵀ to the gate rows holding x_t's part
// (W_hh packed once for all steps, kernel.PackedB; beta = 1, so no
// separate add), then the gate nonlinearities (kernel.Sigmoid,
// kernel.Tanh: vectorized) and state update in one pass, keeping the
// activated gates for the backward pass (in xp's own buffer when nn runs
// it in place). Batch rows do not interact, so with several threads each
// runs the whole sequence on its share of the rows: one hand-off per pass
// instead of two per step. Backward runs backpropagation through time
// inside the op: per step the gate derivatives in one pass (written
// straight into xp's gradient when nothing else writes it) and one GEMM
// dh·W_hh for the previous step's hidden gradient; the weight gradient
// dW_hh and the bias gradient db_hh are one GEMM and one column sum over
// all steps at the end, instead of one small product and reduction per
// step.

// RecurrentKind says which recurrence FusedRecurrent runs.
type RecurrentKind int

// The recurrences, with their gate blocks in PyTorch's order.
const (
	RecurrentTanh RecurrentKind = iota // h' = tanh(pre), 1 block
	RecurrentReLU                      // h' = relu(pre), 1 block
	RecurrentLSTM                      // i, f, g, o
	RecurrentGRU                       // r, z, n
)

// Gates is the number of hidden-size blocks in the kind's weights.
func (k RecurrentKind) Gates() int {
	switch k {
	case RecurrentLSTM:
		return 4
	case RecurrentGRU:
		return 3
	}
	return 1
}

// recurrentLayout are the sizes of one fused layer and where its saved
// tensors lie in the node's Saved buffer (in processing order s: step s is
// time t = s, or T-1-s when reverse). A pass that records nothing for
// backward keeps only the last two steps (slots = 2, step s in slot s%2):
// evaluating a batch of 1000 images in place then needs 7 MB instead of
// 100. The gates lie as xp does, in xp's buffer (in place) or in a block
// of Saved the size of xp.
//
// The hidden states h (saved for the weight gradient only; the forward
// pass reads h_{s-1} from the output) lie as the output does, [T, B, H] or
// [B, T, H], but for the last step's, which are zero. Stacked so, the
// pairs (gate gradient of step s, h_{s-1}) of all steps are the rows of
// two matrices one time step apart, and dW_hh is one product (see
// Backward); the zero rows cancel the pairs that straddle two sequences.
type recurrentLayout struct {
	kind                      RecurrentKind
	steps, batch, hidden, gts int
	slots                     int // steps saved: steps, or 2 without backward
	batchFirst, reverse       bool
	acts, hpn, c, tc, h, dcn  int // offsets of the saved blocks; -1: absent (h without backward, acts in place)
	size                      int
}

func newRecurrentLayout(kind RecurrentKind, steps, slots, batch, hidden int, batchFirst, reverse, inPlace bool) recurrentLayout {
	l := recurrentLayout{kind: kind, steps: steps, slots: min(slots, steps), batch: batch, hidden: hidden, gts: kind.Gates(),
		batchFirst: batchFirst, reverse: reverse, acts: -1, hpn: -1, c: -1, tc: -1, h: -1, dcn: -1}
	sbh := l.slots * batch * hidden
	if !inPlace { // the gates of every step, laid out as xp
		l.acts, l.size = 0, steps*batch*hidden*l.gts
	}
	if kind == RecurrentGRU {
		l.hpn, l.size = l.size, l.size+sbh
	}
	if kind == RecurrentLSTM {
		l.c, l.tc, l.size = l.size, l.size+sbh, l.size+2*sbh
	}
	l.h = -1
	if l.slots == steps {
		l.h, l.size = l.size, l.size+sbh
	}
	if kind == RecurrentLSTM {
		l.dcn, l.size = l.size, l.size+batch*hidden
	}
	return l
}

// gatesOf returns l's gate block, laid out as xp: xp's own buffer when the
// pass runs in place, else its block of saved.
func gatesOf[T Float](l *recurrentLayout, xp, saved []T) []T {
	if l.acts < 0 {
		return xp
	}
	return saved[l.acts : l.acts+len(xp)]
}

// slot returns where step s is saved.
func (l *recurrentLayout) slot(s int) int { return s % l.slots }

// time returns the time index of processing step s.
func (l *recurrentLayout) time(s int) int {
	if l.reverse {
		return l.steps - 1 - s
	}
	return s
}

// row returns the offset of row b of time t in a [T, B, w] (or batch-first
// [B, T, w]) tensor, and the stride between rows b and b+1.
func (l *recurrentLayout) row(t, w int) (off, ld int) {
	if l.batchFirst {
		return t * w, l.steps * w
	}
	return t * l.batch * w, w
}

// stepRows returns, for processing step s, the offset and row stride of
// its gate rows (width G) and of its output rows, and of step s-1's output
// rows (h_{s-1}; zeros for s = 0, which has none).
func (l *recurrentLayout) stepRows(s, G int) (xo, xld, oo, old, po, pld int) {
	t := l.time(s)
	xo, xld = l.row(t, G)
	oo, old = l.row(t, l.hidden)
	if s > 0 {
		po, pld = l.row(l.time(s-1), l.hidden)
	}
	return
}

// FusedRecurrent runs one recurrent layer in one direction from the zero
// state over a whole sequence and returns its outputs h_t at every step,
// [T, B, H] (or [B, T, H] with batchFirst), and, for the LSTM, the last
// cell state c_n [B, H] (nil for the others). xp is x·W_ihᵀ + b_ih for
// every step, [T, B, G·H] (or [B, T, G·H]); whh is W_hh [G·H, H]; bhh is
// b_hh [G·H] or nil. With reverse, the layer reads the sequence from the
// last step to the first (the backward direction of a bidirectional
// layer); c_n is then the state after time 0. The equations are PyTorch's
// nn.RNN, nn.LSTM and nn.GRU (see nn.RNNCell, nn.LSTMCell, nn.GRUCell);
// its result equals the per-step composition of Linear, Narrow, Sigmoid,
// Tanh, Mul and Add, as one node.
func (g *Graph[T]) FusedRecurrent(kind RecurrentKind, xp, whh, bhh *Var[T], batchFirst, reverse bool) (out, cn *Var[T]) {
	return g.fusedRecurrent(kind, xp, whh, bhh, batchFirst, reverse, false)
}

// FusedRecurrentInPlace is FusedRecurrent computing the gates in xp's own
// buffer: afterwards xp's value holds the activated gates, not x·W_ihᵀ +
// b_ih. It is for a caller whose xp feeds nothing else, as in nn's layers
// (Linear's backward does not read its output): it saves a copy of xp,
// 1.8M floats for row-MNIST's LSTM, per pass.
func (g *Graph[T]) FusedRecurrentInPlace(kind RecurrentKind, xp, whh, bhh *Var[T], batchFirst, reverse bool) (out, cn *Var[T]) {
	return g.fusedRecurrent(kind, xp, whh, bhh, batchFirst, reverse, true)
}

// OverwritesInput reports whether node n is a fused recurrent layer
// recorded by FusedRecurrentInPlace, which writes its gates' activations
// over its first input's values: what observes the tape after the step
// (monitor's per-layer statistics) finds the input product's output gone.
func OverwritesInput[T Float](n *Node[T]) bool {
	_, fused := n.Op.(fusedRecurrentOp[T])
	return fused && n.Ints[3] == 1
}

func (g *Graph[T]) fusedRecurrent(kind RecurrentKind, xp, whh, bhh *Var[T], batchFirst, reverse, inPlace bool) (out, cn *Var[T]) {
	xs := xp.Shape()
	if len(xs) != 3 || whh.Value.Dims() != 2 {
		panic(fmt.Sprintf("autograd: FusedRecurrent: input %v and weight %v, want 3 and 2 dimensions", xs, whh.Shape()))
	}
	hidden := whh.Value.Dim(1)
	gh := kind.Gates() * hidden
	if whh.Value.Dim(0) != gh || xs[2] != gh || bhh != nil && (bhh.Value.Dims() != 1 || bhh.Value.Dim(0) != gh) {
		panic(fmt.Sprintf("autograd: FusedRecurrent: input %v, weight %v and bias do not fit %d gates of %d", xs, whh.Shape(), kind.Gates(), hidden))
	}
	steps, batch := xs[0], xs[1]
	if batchFirst {
		steps, batch = batch, steps
	}
	req := g.needsGrad(xp, whh, bhh)
	slots := steps
	if !req {
		slots = 2
	}
	l := newRecurrentLayout(kind, steps, slots, batch, hidden, batchFirst, reverse, inPlace)
	shape := [3]int{steps, batch, hidden}
	if batchFirst {
		shape[0], shape[1] = batch, steps
	}
	out = g.NewResult(req, shape[:]...)
	saved := g.Buffer(l.size)
	hp := g.Buffer(batch, gh)
	recurrentForward(&l, xp.Value.Data(), whh.Value.Data(), optData(bhh), out.Value.Data(), saved.Data(), hp.Data())
	if req {
		n := g.Record(fusedRecurrentOp[T]{}, out, xp, whh, bhh)
		n.Ints[0], n.Ints[1] = int(kind), boolInt(batchFirst)
		n.Ints[2], n.Ints[3] = boolInt(reverse), boolInt(inPlace)
		n.Saved = saved
	}
	if kind != RecurrentLSTM {
		return out, nil
	}
	bh := batch * hidden
	cn = g.NewResult(req, batch, hidden)
	sd := saved.Data()
	last := l.slot(steps - 1)
	copy(cn.Value.Data(), sd[l.c+last*bh:l.c+(last+1)*bh])
	if req {
		clear(sd[l.dcn : l.dcn+bh])
		n := g.Record(fusedCellStateOp[T]{}, cn, out, nil, nil)
		n.Saved = saved
		n.Ints[0] = l.dcn
	}
	return out, cn
}

func optData[T Float](v *Var[T]) []T {
	if v == nil {
		return nil
	}
	return v.Value.Data()
}

// recurrentForward runs the layer; hp is [B, G·H] scratch (the GRU's
// hidden part). The batch rows are independent through time, so each of
// the workers runs the whole sequence on its own rows (one hand-off per
// layer, not per step), multiplying by W_hhᵀ packed once.
func recurrentForward[T Float](l *recurrentLayout, xp, whh, bhh, out, saved, hp []T) {
	j := getRecJob[T]()
	defer putRecJob(j)
	*j = recJob[T]{l: *l, xp: xp, whh: whh, bhh: bhh, hp: hp, out: out, saved: saved, gates: gatesOf(l, xp, saved), pk: j.pk}
	if l.steps > 1 {
		G, H := l.gts*l.hidden, l.hidden
		j.pk.Pack(true, H, G, whh, H) // op(B) = W_hhᵀ, [H, G·H]
	}
	runRows(j)
}

// forwardRows runs the forward pass of batch rows [b0, b1) over all steps.
func forwardRows[T Float](j *recJob[T], b0, b1 int) {
	l := &j.l
	H, G := l.hidden, l.gts*l.hidden
	rows := b1 - b0
	for s := range l.steps {
		var hPrev []T // h_{s-1} of rows b0.., with row stride hld
		hld := 0
		if s > 0 {
			po, pld := l.row(l.time(s-1), H)
			hPrev, hld = j.out[po+b0*pld:], pld
		}
		if l.kind != RecurrentGRU {
			// The pre-activations x_t + b_hh + h_{s-1}·W_hhᵀ, the product
			// accumulated into the sum (beta = 1) while the rows are in
			// cache: one pass over them fewer than adding afterwards.
			xo, xld := l.row(l.time(s), G)
			for b := b0; b < b1; b++ {
				a, x := j.gates[xo+b*xld:xo+b*xld+G], j.xp[xo+b*xld:xo+b*xld+G]
				switch {
				case j.bhh != nil:
					kernel.Add(a, x, j.bhh)
				case l.acts >= 0: // not in place
					copy(a, x)
				}
			}
			if s > 0 {
				j.pk.Gemm(false, rows, 1, hPrev, hld, 1, j.gates[xo+b0*xld:], xld)
			}
			forwardGates(j, s, b0, b1, nil)
			continue
		}
		// The GRU's hidden part h_{s-1}·W_hhᵀ + b_hh (b_hh alone, or zero,
		// from the zero state) goes to hp: the n gate multiplies it by r.
		p := j.hp
		if s > 0 {
			j.pk.Gemm(false, rows, 1, hPrev, hld, 0, p[b0*G:], G)
		}
		for b := b0; b < b1; b++ {
			pb := p[b*G : (b+1)*G]
			switch {
			case s > 0 && j.bhh != nil:
				kernel.Add(pb, pb, j.bhh)
			case s == 0 && j.bhh != nil:
				copy(pb, j.bhh)
			case s == 0:
				clear(pb)
			}
		}
		forwardGates(j, s, b0, b1, p)
	}
}

// forwardGates is step s of the forward pass for batch rows [b0, b1): the
// gates' nonlinearities (kernel.Sigmoid, kernel.Tanh) and the state
// update. The RNN's and LSTM's gate block holds the pre-activations
// already; the GRU's are x + p, p its hidden part.
func forwardGates[T Float](j *recJob[T], s, b0, b1 int, p []T) {
	l := &j.l
	B, H, G := l.batch, l.hidden, l.gts*l.hidden
	bh := B * H
	xo, xld, oo, old, po, pld := l.stepRows(s, G)
	cur, prev := l.slot(s), l.slot(s+l.slots-1) // prev: step s-1's, for s > 0
	for b := b0; b < b1; b++ {
		a := j.gates[xo+b*xld : xo+b*xld+G] // xp's row itself when in place
		h := j.out[oo+b*old : oo+b*old+H]
		switch l.kind {
		case RecurrentTanh:
			kernel.Tanh(a, a)
		case RecurrentReLU:
			kernel.ReLU(a, a)
		case RecurrentLSTM:
			kernel.Sigmoid(a[:2*H], a[:2*H]) // i, f
			kernel.Tanh(a[2*H:3*H], a[2*H:3*H])
			kernel.Sigmoid(a[3*H:], a[3*H:]) // o
			c := j.saved[l.c+cur*bh+b*H : l.c+cur*bh+(b+1)*H]
			tc := j.saved[l.tc+cur*bh+b*H : l.tc+cur*bh+(b+1)*H]
			i, f, gg := a[:H], a[H:2*H], a[2*H:3*H]
			if s > 0 { // c = i⊙g + f⊙c_{s-1}, vectorized, i⊙g parked in tc
				cp := j.saved[l.c+prev*bh+b*H : l.c+prev*bh+(b+1)*H]
				kernel.Mul(tc, i, gg)
				kernel.Mul(c, f, cp)
				kernel.Add(c, c, tc)
			} else {
				kernel.Mul(c, i, gg)
			}
			kernel.Tanh(tc, c)
			kernel.Mul(h, a[3*H:], tc) // h = o⊙tanh c
		case RecurrentGRU:
			x, pb := j.xp[xo+b*xld:xo+b*xld+G], p[b*G:(b+1)*G]
			kernel.Add(a[:2*H], x[:2*H], pb[:2*H])
			kernel.Sigmoid(a[:2*H], a[:2*H]) // r, z
			hpn := j.saved[l.hpn+cur*bh+b*H : l.hpn+cur*bh+(b+1)*H]
			copy(hpn, pb[2*H:])
			r, z, n := a[:H], a[H:2*H], a[2*H:]
			for k := range n {
				n[k] = x[2*H+k] + r[k]*hpn[k]
			}
			kernel.Tanh(n, n)
			if s > 0 {
				hprev := j.out[po+b*pld : po+b*pld+H]
				for k := range h {
					h[k] = n[k] + z[k]*(hprev[k]-n[k]) // (1-z)⊙n + z⊙h
				}
			} else {
				for k := range h {
					h[k] = n[k] + z[k]*(0-n[k])
				}
			}
		}
		if l.kind == RecurrentTanh || l.kind == RecurrentReLU {
			copy(h, a)
		}
		if l.h >= 0 { // saved for dW_hh, the last step's as zeros
			hs := j.saved[l.h+oo+b*old : l.h+oo+b*old+H]
			if s < l.steps-1 {
				copy(hs, h)
			} else {
				clear(hs)
			}
		}
	}
}

// recJob is a fused layer's forward or backward pass, split by batch rows
// over the kernels' worker pool (kernel.ParallelFor): each part runs every
// step on its own rows and writes only those rows of every output, so the
// result does not depend on the split.
type recJob[T Float] struct {
	l                            recurrentLayout // a copy: a pointer would make the caller's escape
	back                         bool
	xp, whh, bhh, hp, out, saved []T
	gates                        []T // the activated gates, laid out as xp (see gatesOf)
	dout, dhp, dhRec, dcRec, dxp []T
	setDxp                       bool              // backward writes dxp rather than adding to it
	dhpIsDxp                     bool              // dhp is dxp's buffer: written once
	pk                           kernel.PackedB[T] // W_hh packed for the pass's per-step products
}

func (j *recJob[T]) RunPart(part, parts int) {
	B := j.l.batch
	b0, b1 := part*B/parts, (part+1)*B/parts
	if j.back {
		backwardSteps(j, b0, b1)
	} else {
		forwardRows(j, b0, b1)
	}
}

// recParallelMin is the number of gate elements per step from which the
// rows are split over the workers; below it the hand-off costs more than
// it saves. recMinRows keeps each part's products at least this many rows
// tall.
const (
	recParallelMin = 8192
	recMinRows     = 8
)

// runRows runs j on all rows, split over the workers when the steps are
// large enough.
func runRows[T Float](j *recJob[T]) {
	B := j.l.batch
	parts := min(kernel.Threads(), B/recMinRows)
	if B*j.l.gts*j.l.hidden < recParallelMin || parts < 2 {
		j.RunPart(0, 1)
		return
	}
	kernel.ParallelFor(parts, j)
}

// The fused ops' jobs are recycled so a warm step allocates nothing, one
// free list per element type.
var (
	recJobs32 kernel.FreeList[recJob[float32]]
	recJobs64 kernel.FreeList[recJob[float64]]
)

func recPool[T Float]() *kernel.FreeList[recJob[T]] {
	if p, ok := any(&recJobs32).(*kernel.FreeList[recJob[T]]); ok {
		return p
	}
	if p, ok := any(&recJobs64).(*kernel.FreeList[recJob[T]]); ok {
		return p
	}
	return nil // a named float type: jobs are allocated
}

func getRecJob[T Float]() *recJob[T] { return recPool[T]().Get() }

func putRecJob[T Float](j *recJob[T]) {
	j.pk.Reset()
	*j = recJob[T]{pk: j.pk} // do not keep buffers alive; keep the packing memory
	recPool[T]().Put(j)
}
