package kernel

// Parts is work split into parts that write disjoint outputs, so that the
// result does not depend on which goroutine runs which part.
type Parts interface {
	// RunPart computes part number part of parts.
	RunPart(part, parts int)
}

// ParallelFor runs r.RunPart(p, parts) for every p in [0, parts) on at most
// Threads() goroutines of the kernels' worker pool, the calling goroutine
// among them, and returns when all are done; with more parts than threads,
// a goroutine runs parts g, g+threads, ... one after another. Sharing the
// pool with Gemm means one set of polling workers, and a Gemm called from
// inside a part finds the workers busy and runs on its own goroutine: no
// nested split of two cores four ways. If the workers are busy (ParallelFor
// inside a part, or from another goroutine), the parts run one after
// another on the caller. A warm call allocates nothing when r is a pointer.
func ParallelFor(parts int, r Parts) {
	goroutines := min(parts, Threads())
	if goroutines < 2 || acquire() == nil {
		for p := range parts {
			r.RunPart(p, parts)
		}
		return
	}
	defer release()
	forJob = partsJob{r: r, parts: parts, goroutines: goroutines}
	runParts(&forJob, goroutines)
	forJob = partsJob{}
}

// partsJob adapts Parts to the pool's job; forJob is the call in progress,
// guarded by poolMu, a package variable so handing it over allocates
// nothing.
type partsJob struct {
	r                 Parts
	parts, goroutines int
}

var forJob partsJob

func (j *partsJob) run(_ *packBuf, g int) {
	for p := g; p < j.parts; p += j.goroutines {
		j.r.RunPart(p, j.parts)
	}
}
