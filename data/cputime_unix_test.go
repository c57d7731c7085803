//go:build unix

package data_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time this process has used, user and system: on
// a machine shared with other work, bytes per CPU-second measure the
// reader where wall-clock speed measures the neighbours.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
