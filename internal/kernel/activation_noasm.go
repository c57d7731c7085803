//go:build !amd64 || purego

package kernel

func sigmoid32(dst, x []float32) { sigmoidSpec32(dst, x) }
func tanh32(dst, x []float32)    { tanhSpec32(dst, x) }
