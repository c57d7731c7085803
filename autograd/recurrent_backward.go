package autograd

import (
	"github.com/descent-ml/descent/internal/kernel"
)

// The fused recurrent layer's backward pass (recurrent.go has the forward
// pass, the layout and the jobs): backpropagation through time inside the
// op, per step the gate derivatives in one pass and one GEMM dh·W_hh, then
// dW_hh and db_hh as one GEMM and one column sum over all steps.

type fusedRecurrentOp[T Float] struct{}

func (fusedRecurrentOp[T]) Name() string { return "FusedRecurrent" }

// Backward is backpropagation through time over the saved steps. With
// pre the gate pre-activations, a dot for the derivative of the loss, and
// dh the gradient reaching h_s (from the output at s and from step s+1):
//
//	RNN:  dpre = dh⊙(1 - h²) (tanh) or dh⊙[h > 0] (relu)
//	LSTM: dc = dc_{s+1}⊙f_{s+1} + dh⊙o⊙(1 - tanh²c)
//	      di = dc⊙g⊙i(1-i), df = dc⊙c_{s-1}⊙f(1-f), dg = dc⊙i⊙(1-g²),
//	      do = dh⊙tanh c⊙o(1-o)
//	GRU:  h = n + z⊙(h_{s-1} - n):
//	      dn_pre = dh⊙(1-z)⊙(1-n²), dz_pre = dh⊙(h_{s-1}-n)⊙z(1-z),
//	      dr_pre = dn_pre⊙hp_n⊙r(1-r); the hidden part's n block gets
//	      dn_pre⊙r, the input part's dn_pre; h_{s-1} gets dh⊙z directly.
//
// The input part xp gets the gate gradients (dxp), the hidden part hp =
// h_{s-1}·W_hhᵀ + b_hh gets dhp (equal but for GRU's n block), and then
// dh_{s-1} += dhp·W_hh, dW_hh = Σ_s dhp_sᵀ·h_{s-1}, db_hh = Σ_s dhp_s.
// dhp lies as xp does; where they are equal and this op writes dxp first,
// dhp is dxp's buffer itself: the gate gradients are written once.
func (fusedRecurrentOp[T]) Backward(g *Graph[T], n *Node[T]) {
	xpv, whh := n.In[0], n.In[1].Value.Data()
	xs := xpv.Shape()
	kind, batchFirst, reverse, inPlace := RecurrentKind(n.Ints[0]), n.Ints[1] == 1, n.Ints[2] == 1, n.Ints[3] == 1
	steps, batch := xs[0], xs[1]
	if batchFirst {
		steps, batch = batch, steps
	}
	hidden := n.In[1].Value.Dim(1)
	l := newRecurrentLayout(kind, steps, steps, batch, hidden, batchFirst, reverse, inPlace)
	B, H, G := batch, hidden, l.gts*hidden
	bh := B * H
	saved := n.Saved.Data()
	dout := n.Out.Grad.Data()
	dhRec := g.Buffer(B, H).Data()
	clear(dhRec)
	var dcRec []T
	if kind == RecurrentLSTM {
		dcRec = g.Buffer(B, H).Data()
		copy(dcRec, saved[l.dcn:l.dcn+bh])
		clear(saved[l.dcn : l.dcn+bh]) // consumed: a retained graph's next pass starts from zero
	}
	var dxp []T
	gx, overwrite := g.gradToWrite(xpv) // first writer: set dxp, not zero it and add
	if gx != nil {
		dxp = gx.Data()
	}
	var dhp []T
	shared := dxp != nil && overwrite && kind != RecurrentGRU
	if shared {
		dhp = dxp
	} else {
		dhp = g.Buffer(xs...).Data()
	}
	j := getRecJob[T]()
	defer putRecJob(j)
	*j = recJob[T]{l: l, saved: saved, gates: gatesOf(&l, xpv.Value.Data(), saved), out: n.Out.Value.Data(), back: true, dout: dout, dhp: dhp, dhRec: dhRec, dcRec: dcRec,
		dxp: dxp, setDxp: overwrite, dhpIsDxp: shared, pk: j.pk}
	if steps > 1 {
		j.pk.Pack(false, G, H, whh, H) // op(B) = W_hh, [G·H, H]
	}
	runRows(j)
	if gw := g.GradOf(n.In[1]); gw != nil && steps > 1 {
		// dW_hh = Σ_{s≥1} dhp_sᵀ·h_{s-1}: h_{s-1} of row (t, b) is the
		// saved row one time step (d rows) before it, or after it when
		// reverse; a pair that straddles two sequences (batch first) meets
		// the zeros saved for the last step.
		d := B
		if batchFirst {
			d = 1
		}
		hs := saved[l.h : l.h+steps*B*H]
		dh, hh := dhp[d*G:], hs
		if reverse {
			dh, hh = dhp, hs[d*H:]
		}
		kernel.Gemm(true, false, G, H, steps*B-d, 1, dh, G, hh, H, 1, gw.Data(), H)
	}
	if gb := g.GradOf(n.In[2]); gb != nil { // db_hh = Σ_s dhp_s
		sumRows(gb.Data(), dhp, steps*B, G)
	}
}

// backwardSteps runs backpropagation through time for batch rows [b0, b1)
// (independent of the other rows, as in the forward pass): per step the
// gate gradients, then dh_{s-1} = dhp·W_hh for these rows (plus the GRU's
// direct path, already in dhRec).
func backwardSteps[T Float](j *recJob[T], b0, b1 int) {
	H, G := j.l.hidden, j.l.gts*j.l.hidden
	beta := T(0)
	if j.l.kind == RecurrentGRU {
		beta = 1
	}
	for s := j.l.steps - 1; s >= 0; s-- {
		backwardRows(j, s, b0, b1)
		if s > 0 {
			xo, xld := j.l.row(j.l.time(s), G)
			j.pk.Gemm(false, b1-b0, 1, j.dhp[xo+b0*xld:], xld, beta, j.dhRec[b0*H:], H)
		}
	}
}

// fusedCellStateOp is the LSTM's last cell state c_n, a second output of
// FusedRecurrent: its backward hands dc_n to the layer's backward through
// the shared Saved buffer (at offset Ints[0]) and marks the layer's output
// as reached, so that the layer's backward runs even when only c_n feeds
// the loss.
type fusedCellStateOp[T Float] struct{}

func (fusedCellStateOp[T]) Name() string { return "FusedRecurrentCellState" }
func (fusedCellStateOp[T]) Backward(g *Graph[T], n *Node[T]) {
	g.GradOf(n.In[0])
	d := n.Out.Grad.Data()
	slot := n.Saved.Data()[n.Ints[0] : n.Ints[0]+len(d)]
	kernel.Add(slot, slot, d)
}

// backwardRows is step s of the backward pass for batch rows [b0, b1):
// the gate gradients dhp and dxp from the output gradient and the
// recurrent gradients dhRec (and dcRec), which it updates but for the
// dhp·W_hh product. It adds the input part's gradient to dxp, or with
// setDxp writes it there (nothing to do where dhp is dxp).
func backwardRows[T Float](j *recJob[T], s, b0, b1 int) {
	l := &j.l
	saved, dout, dhRec, dcRec := j.saved, j.dout, j.dhRec, j.dcRec
	B, H, G := l.batch, l.hidden, l.gts*l.hidden
	bh := B * H
	kind := l.kind
	xo, xld, oo, old, po, pld := l.stepRows(s, G)
	for b := b0; b < b1; b++ {
		a := j.gates[xo+b*xld : xo+b*xld+G]
		d := j.dhp[xo+b*xld : xo+b*xld+G]
		if b+1 < b1 && l.batchFirst { // the next row is far away: fetch it while this one is computed
			kernel.Prefetch(j.gates[xo+(b+1)*xld : xo+(b+1)*xld+G])
			kernel.Prefetch(j.dhp[xo+(b+1)*xld : xo+(b+1)*xld+G])
		}
		dhr := dhRec[b*H : (b+1)*H]
		do := dout[oo+b*old : oo+b*old+H]
		var dx []T
		if j.dxp != nil && !j.dhpIsDxp {
			dx = j.dxp[xo+b*xld : xo+b*xld+G]
		}
		switch kind {
		case RecurrentTanh:
			for k := range H {
				d[k] = (do[k] + dhr[k]) * (1 - a[k]*a[k])
			}
		case RecurrentReLU:
			for k := range H {
				if a[k] > 0 {
					d[k] = do[k] + dhr[k]
				} else {
					d[k] = 0
				}
			}
		case RecurrentLSTM:
			tc := saved[l.tc+s*bh+b*H : l.tc+s*bh+(b+1)*H]
			dcr := dcRec[b*H : (b+1)*H]
			var cp []T
			if s > 0 {
				cp = saved[l.c+(s-1)*bh+b*H : l.c+(s-1)*bh+(b+1)*H]
			}
			kernel.LSTMBackward(d, a, tc, cp, do, dhr, dcr)
		case RecurrentGRU:
			hpn := saved[l.hpn+s*bh+b*H : l.hpn+s*bh+(b+1)*H]
			for k := range H {
				r, z, nn := a[k], a[H+k], a[2*H+k]
				dh := do[k] + dhr[k]
				var hv T
				if s > 0 {
					hv = j.out[po+b*pld+k]
				}
				dn := dh * (1 - z) * (1 - nn*nn)
				d[H+k] = dh * (hv - nn) * z * (1 - z)
				d[k] = dn * hpn[k] * r * (1 - r)
				if dx != nil && j.setDxp {
					dx[2*H+k] = dn
				} else if dx != nil {
					dx[2*H+k] += dn
				}
				d[2*H+k] = dn * r
				dhr[k] = dh * z // the direct path h_{s-1} → h_s
			}
		}
		w := G // the GRU's n block of dx is done above
		if kind == RecurrentGRU {
			w = 2 * H
		}
		switch {
		case dx != nil && j.setDxp:
			copy(dx[:w], d[:w])
		case dx != nil:
			kernel.Add(dx[:w], dx[:w], d[:w])
		}
	}
}
