package kernel

// Parts is work split into parts that write disjoint outputs, so that the
// result does not depend on which goroutine runs which part.
type Parts interface {
	// RunPart computes part number part of parts.
	RunPart(part, parts int)
}

// ParallelFor runs r.RunPart(p, parts) for every p in [0, parts) on the
// kernels' worker pool, part 0 on the calling goroutine, and returns when
// all are done. Sharing the pool with Gemm means one set of polling
// workers, and a Gemm called from inside a part finds the workers busy and
// runs on its own goroutine: no nested split of two cores four ways. If the
// workers are busy (ParallelFor inside a part, or from another goroutine),
// the parts run one after another on the caller. A warm call allocates
// nothing when r is a pointer.
func ParallelFor(parts int, r Parts) {
	if parts < 2 || acquire() == nil {
		for p := range parts {
			r.RunPart(p, parts)
		}
		return
	}
	defer release()
	forJob = partsJob{r: r, parts: parts}
	runParts(&forJob, parts)
	forJob = partsJob{}
}

// partsJob adapts Parts to the pool's job; forJob is the call in progress,
// guarded by poolMu, a package variable so handing it over allocates
// nothing.
type partsJob struct {
	r     Parts
	parts int
}

var forJob partsJob

func (j *partsJob) run(_ *packBuf, part int) { j.r.RunPart(part, j.parts) }
