//go:build !linux

package kernel

import "time"

// processCPU is unavailable here; benchmarks then omit cpuGFLOP/s.
func processCPU() time.Duration { return 0 }
