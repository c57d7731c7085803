//go:build !amd64 || purego

package kernel

import "unsafe"

func prefetchLines(p unsafe.Pointer, n int) {}
