package kernel

// LSTMBackward is one batch row of an LSTM step's backward pass
// (torch.nn.LSTM; Hochreiter & Schmidhuber 1997, with the forget gate of
// Gers et al. 2000): from the saved gate activations gates = [i | f | g | o]
// (4n), tanh of the cell state tc, the previous cell state cp (nil at the
// first step: f then gets no gradient), the gradient reaching h from the
// output (dout) and from the next step (dh), and dc, the cell state's
// gradient from the next step, it writes the pre-activation gradients
// dgates = [di | df | dg | do] and replaces dc by dc_{s-1} = dc_s⊙f.
// Products are rounded in the order written, and the float32 assembly
// computes the same, so the result is the Go loop's bit for bit:
//
//	dh' := dout[j] + dh[j]
//	dc' := dc[j] + dh'*o*(1-tc[j]*tc[j])
//	di = dc'*g*i*(1-i); df = dc'*cp[j]*f*(1-f) (0 without cp)
//	dg = dc'*i*(1-g*g); do = dh'*tc[j]*o*(1-o); dc[j] = dc'*f
//
// It panics if the lengths do not fit n = len(tc).
func LSTMBackward[T Float](dgates, gates, tc, cp, dout, dh, dc []T) {
	n := len(tc)
	if len(gates) != 4*n {
		badLengths("LSTMBackward", "gates", len(gates), "4*len(tc)", 4*n)
	}
	if len(dgates) != 4*n {
		badLengths("LSTMBackward", "dgates", len(dgates), "4*len(tc)", 4*n)
	}
	for _, s := range [][]T{dout, dh, dc} {
		if len(s) != n {
			badLengths("LSTMBackward", "a state", len(s), "len(tc)", n)
		}
	}
	if cp != nil && len(cp) != n {
		badLengths("LSTMBackward", "cp", len(cp), "len(tc)", n)
	}
	if isFloat32(T(0)) {
		lstmBackward32(as32(dgates), as32(gates), as32(tc), as32(cp), as32(dout), as32(dh), as32(dc))
		return
	}
	lstmBackwardSpec(dgates, gates, tc, cp, dout, dh, dc)
}

func lstmBackwardSpec[T Float](dgates, gates, tc, cp, dout, dh, dc []T) {
	n := len(tc)
	i, f, g, o := gates[:n], gates[n:2*n], gates[2*n:3*n], gates[3*n:4*n]
	di, df, dg, do := dgates[:n], dgates[n:2*n], dgates[2*n:3*n], dgates[3*n:4*n]
	dout, dh, dc = dout[:n], dh[:n], dc[:n]
	for j := range n {
		dhj := dout[j] + dh[j]
		dcj := dc[j] + dhj*o[j]*(1-tc[j]*tc[j])
		di[j] = dcj * g[j] * i[j] * (1 - i[j])
		dg[j] = dcj * i[j] * (1 - g[j]*g[j])
		do[j] = dhj * tc[j] * o[j] * (1 - o[j])
		dc[j] = dcj * f[j]
		df[j] = dcj // the previous cell state's factor follows
	}
	if cp == nil {
		clear(df)
		return
	}
	cp = cp[:n]
	for j := range n {
		df[j] = df[j] * cp[j] * f[j] * (1 - f[j])
	}
}
