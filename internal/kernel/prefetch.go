package kernel

import "unsafe"

// Prefetch asks the CPU to bring x's cache lines into its caches now
// (PREFETCHT0 per 64-byte line on amd64; nothing in the purego build or
// elsewhere), for data that a loop will read soon from far apart in
// memory, where the hardware prefetcher has no stream to follow: the
// recurrent layer's backward pass reads each batch row's gates and writes
// its gate gradients, 2 KB rows 57 KB apart (batch first), and fetches the
// next row's while it computes one. It changes no value.
func Prefetch[T Float](x []T) {
	if len(x) == 0 {
		return
	}
	prefetchLines(unsafe.Pointer(unsafe.SliceData(x)), len(x)*int(sizeof(x[0])))
}
