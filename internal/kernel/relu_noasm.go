//go:build !amd64 || purego

package kernel

func relu32(dst, x []float32)        { reluSpec(dst, x) }
func reluGrad32(dx, y, dy []float32) { reluGradSpec(dx, y, dy) }
