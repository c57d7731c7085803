//go:build !purego

package kernel

// The ReLU kernels of relu_amd64.s (hand-written, AVX2: memory bound, so
// 8-wide vectors already keep up with the memory); n is a multiple of 8.

//go:noescape
func reluAVX2(dst, x *float32, n int)

//go:noescape
func reluGradAVX2(dx, y, dy *float32, n int)

func relu32Serial(dst, x []float32) {
	n := 0
	if vectorISA != 0 {
		if n = len(dst) &^ 7; n > 0 {
			_ = x[n-1]
			reluAVX2(&dst[0], &x[0], n)
		}
	}
	reluSpec(dst[n:], x[n:])
}

func reluGrad32Serial(dx, y, dy []float32) {
	n := 0
	if vectorISA != 0 {
		if n = len(dx) &^ 7; n > 0 {
			_, _ = y[n-1], dy[n-1]
			reluGradAVX2(&dx[0], &y[0], &dy[0], n)
		}
	}
	reluGradSpec(dx[n:], y[n:], dy[n:])
}
