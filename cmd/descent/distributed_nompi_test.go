//go:build !mpi

package main

import (
	"bytes"
	"strings"
	"testing"
)

// A build without the mpi tag refuses --distributed in one line that says
// how to build with MPI, exit 2.
func TestDistributedNeedsMPIBuild(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"train", "--distributed", "--limit", "64", "--out", t.TempDir()}, &stdout, &stderr)
	msg := stderr.String()
	if code != 2 || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "go build -tags mpi ./cmd/descent") || stdout.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), msg)
	}
}
