//go:build !amd64 || purego

package kernel

// asmSgemmKernels: no assembly in this build, so Gemm uses the Go kernel.
func asmSgemmKernels() []*sgemmKernel { return nil }
