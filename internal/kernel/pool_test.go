package kernel

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// countJob counts how often each part runs.
type countJob struct{ runs [8]atomic.Int32 }

func (c *countJob) run(_ *packBuf, part int) { c.runs[part].Add(1) }

// TestRunPartsRunsEachPartOnce hands out calls back to back (workers still
// polling) and after pauses longer than spinFor (workers asleep): every
// part of every call must run exactly once, and runParts must return only
// when all have.
func TestRunPartsRunsEachPartOnce(t *testing.T) {
	for _, parts := range []int{2, 3, 8} {
		for _, pause := range []time.Duration{0, 3 * spinFor} {
			t.Run(fmt.Sprintf("parts=%d/pause=%v", parts, pause), func(t *testing.T) {
				for range 200 {
					var c countJob
					if acquire() == nil {
						t.Fatal("workers busy")
					}
					runParts(&c, parts)
					release()
					for p := range parts {
						if n := c.runs[p].Load(); n != 1 {
							t.Fatalf("part %d ran %d times", p, n)
						}
					}
					if pause > 0 {
						time.Sleep(pause)
					}
				}
			})
		}
	}
}
