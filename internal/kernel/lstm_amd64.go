//go:build !purego

package kernel

// lstmBackwardAVX2 (lstm_amd64.s) is lstmBackwardSpec on the first m
// elements of each block, m a multiple of 8; n is the block length (the
// gates' stride); cp may be nil.
//
//go:noescape
func lstmBackwardAVX2(dgates, gates, tc, cp, dout, dh, dc *float32, n, m int)

func lstmBackward32(dgates, gates, tc, cp, dout, dh, dc []float32) {
	n := len(tc)
	m := 0
	if vectorISA != 0 {
		if m = n &^ 7; m > 0 {
			var cpp *float32
			if cp != nil {
				cpp = &cp[0]
			}
			lstmBackwardAVX2(&dgates[0], &gates[0], &tc[0], cpp, &dout[0], &dh[0], &dc[0], n, m)
		}
	}
	if m == n {
		return
	}
	if m == 0 {
		lstmBackwardSpec(dgates, gates, tc, cp, dout, dh, dc)
		return
	}
	// The tail: the spec on the last n-m elements of each block.
	var gt, dgt [4 * 8]float32
	r := n - m
	for b := range 4 {
		copy(gt[b*r:(b+1)*r], gates[b*n+m:(b+1)*n])
	}
	var cpt []float32
	if cp != nil {
		cpt = cp[m:]
	}
	lstmBackwardSpec(dgt[:4*r], gt[:4*r], tc[m:], cpt, dout[m:], dh[m:], dc[m:])
	for b := range 4 {
		copy(dgates[b*n+m:(b+1)*n], dgt[b*r:(b+1)*r])
	}
}
