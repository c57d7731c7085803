package main

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// runLockFile is the lock a training process holds in its run directory.
const runLockFile = ".lock"

// lockRunDir creates dir and takes an exclusive flock(2) on dir/.lock, so
// that a second `train --out` or `--resume` of the same directory is
// refused while this process trains in it. The kernel releases the lock
// when the process exits, however it dies (SIGKILL included), so a lock is
// never stale. The returned function releases it.
func lockRunDir(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, usagef("cannot create output directory: %v", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, runLockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, usagef("cannot write in output directory %s: %v", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, usagef("%s is in use: another descent process is training in it", dir)
		}
		return nil, usagef("cannot lock %s: %v", dir, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
