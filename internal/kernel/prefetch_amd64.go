//go:build !purego

package kernel

import "unsafe"

// prefetchT0 (prefetch_amd64.s) issues PREFETCHT0 for the cache lines of
// the n bytes at p (n > 0). Prefetches never fault.
//
//go:noescape
func prefetchT0(p unsafe.Pointer, n int)

func prefetchLines(p unsafe.Pointer, n int) { prefetchT0(p, n) }
