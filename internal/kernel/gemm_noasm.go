//go:build !amd64 || purego

package kernel

// asmSgemmKernels: no assembly in this build, so Gemm uses the Go kernel.
func asmSgemmKernels() []*sgemmKernel { return nil }

// transpose16: no assembly, packTransposed gathers in Go.
var transpose16 func(dst []float32, ldd int, src []float32, lds int, blocks int)

// pack6: no assembly, packTransposed gathers in Go.
var (
	pack6     func(dst, src []float32, lds, blocks int)
	pack6Cols = 16
)

// copyShortRows: no assembly, copyRows moves fixed-size arrays.
var copyShortRows func(dst, src []float32, ld, kc, r int)

// packRowsAVX2: no assembly, packRows moves fixed-size arrays.
var packRowsAVX2 func(dst, src []float32, ld, kc, panels, r int)
