//go:build !unix

package data_test

import "time"

// cpuTime is unknown here: the benchmark then reports no CPU-time speed.
func cpuTime() time.Duration { return 0 }
