package kernel

import "sync"

// FreeList recycles the job structs of a parallel loop, so that a warm
// training step allocates nothing; it is safe for concurrent use. A nil
// *FreeList allocates on every Get and drops what it is given: generic code
// whose element type has no list of its own (a named float type) still
// works, only without recycling.
type FreeList[J any] struct {
	mu   sync.Mutex
	free []*J
}

// Get returns a recycled job as its last user left it, or a new zero one.
func (l *FreeList[J]) Get() *J {
	if l == nil {
		return new(J)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.free); n > 0 {
		j := l.free[n-1]
		l.free = l.free[:n-1]
		return j
	}
	return new(J)
}

// Put keeps j for a later Get. The caller clears what j must not keep
// alive (tensors it points at) first.
func (l *FreeList[J]) Put(j *J) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.free = append(l.free, j)
	l.mu.Unlock()
}
