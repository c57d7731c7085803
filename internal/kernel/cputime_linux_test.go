package kernel

import (
	"time"

	"golang.org/x/sys/unix"
)

// processCPU returns the CPU time this process has used, all threads.
func processCPU() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
