package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDashboardBadInput: a bad or busy --dashboard address, or a missing
// DIR, is one line and exit 2, before any training (no run directory).
func TestDashboardBadInput(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := filepath.Join(t.TempDir(), "run")
	for _, args := range [][]string{
		{"train", "--dashboard", "127.0.0.1:99999", "--out", dir},
		{"train", "--dashboard", "nosuchhost.invalid:0", "--out", dir},
		{"train", "--dashboard", busy.Addr().String(), "--out", dir},
		{"train", "--dashboard", "1.2.3.4.5", "--out", dir},
		{"dashboard", filepath.Join(t.TempDir(), "missing")},
		{"dashboard", "--addr", busy.Addr().String(), t.TempDir()},
		{"dashboard", t.TempDir(), "extra"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		if code != 2 || strings.Count(stderr.String(), "\n") != 1 || stdout.Len() != 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and one line", args, code, stdout.String(), stderr.String())
		}
		if _, err := os.Stat(dir); err == nil {
			t.Fatalf("%q created the run directory", args)
		}
	}
}

// TestTrainDashboardLine: --dashboard with port 0 prints the address on
// standard output before training, with --quiet too.
func TestTrainDashboardLine(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	out := runIn(t, runTrain, append([]string{"--dashboard", "127.0.0.1:0"}, tinyRun(dir)...)...)
	m := regexp.MustCompile(`(?m)^dashboard: http://127\.0\.0\.1:(\d+)/$`).FindStringSubmatchIndex(out)
	if m == nil || m[0] > strings.Index(out, "training ") || out[m[2]:m[3]] == "0" {
		t.Errorf("no dashboard line with a port before training:\n%s", out)
	}
}
