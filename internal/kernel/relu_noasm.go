//go:build !amd64 || purego

package kernel

func relu32Serial(dst, x []float32)        { reluSpec(dst, x) }
func reluGrad32Serial(dx, y, dy []float32) { reluGradSpec(dx, y, dy) }
