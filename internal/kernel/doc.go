// Package kernel holds descent's hot loops: matrix multiplication and the
// vector loops behind element-wise ops and optimizer steps.
//
// Every kernel has a pure-Go version that is always compiled; its doc comment
// is the specification. On amd64 an assembly version may be chosen at run
// time from the CPU's features; the build tag purego forces the Go version.
package kernel

// Float is the set of element types the kernels accept.
type Float interface{ ~float32 | ~float64 }
