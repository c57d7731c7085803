//go:build !amd64 || purego

package kernel

func lstmBackward32(dgates, gates, tc, cp, dout, dh, dc []float32) {
	lstmBackwardSpec(dgates, gates, tc, cp, dout, dh, dc)
}
