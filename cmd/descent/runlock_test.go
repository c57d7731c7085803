package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// TestRunDirLocked: while a process trains in a directory, a second
// `train --out` or `--resume` of it is refused with one line and exit 2;
// once the first is killed (SIGKILL: no cleanup), the lock is free.
func TestRunDirLocked(t *testing.T) {
	bin := descentBinary(t)
	dir := filepath.Join(t.TempDir(), "run")
	p := startDescent(t, bin, nil, "train", "--limit", "2000", "--hidden", "64", "--epochs", "200", "--quiet", "--out", dir)
	defer p.kill()
	select {
	case <-p.started:
	case <-p.done:
		t.Fatalf("the first run exited %d: %s", p.code, p.stderr.String())
	case <-time.After(2 * time.Minute):
		t.Fatal("the first run did not start")
	}
	for _, args := range [][]string{
		{"train", "--limit", "64", "--hidden", "8", "--epochs", "1", "--quiet", "--out", dir},
		{"train", "--resume", dir, "--quiet"},
	} {
		code, _, stderr := runDescent(t, bin, nil, args...)
		if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "in use") || !strings.Contains(stderr, dir) {
			t.Fatalf("%v while another process trains there: exit %d, stderr %q; want 2 and one line saying %s is in use", args, code, stderr, dir)
		}
	}
	p.kill()
	unlock, err := train.LockDir(dir)
	if err != nil {
		t.Fatalf("the lock of a killed process is still held: %v", err)
	}
	unlock()
}

// TestInterruptWhileLoading sends Ctrl-C while a large CSV loads: the
// process must exit 130 promptly, saying what it was doing, and write
// nothing.
func TestInterruptWhileLoading(t *testing.T) {
	bin := descentBinary(t)
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "big.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := tensor.NewRand(1)
	fmt.Fprintln(w, "a,b,c,d,e,f,g,h,y")
	for range 1_200_000 { // ~60 MB: about a second to load
		for range 8 {
			fmt.Fprintf(w, "%.4f,", rng.NormFloat64())
		}
		fmt.Fprintf(w, "%d\n", rng.IntN(3))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out := filepath.Join(dir, "run")
	p := startDescent(t, bin, nil, "train", "--data", csvPath, "--out", out)
	time.Sleep(150 * time.Millisecond)
	sent := time.Now()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	code := p.wait(t, time.Minute)
	if code != exitInterrupted || !strings.Contains(p.stderr.String(), "interrupted while loading the data") {
		t.Fatalf("exit %d, stderr %q: want %d and a message", code, p.stderr.String(), exitInterrupted)
	}
	if d := time.Since(sent); d > 2*time.Second {
		t.Fatalf("exited %v after Ctrl-C: want promptly", d)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatalf("%s was written", out)
	}
}

// TestInterruptWhilePretraining sends Ctrl-C during --pretrain
// autoencoder: the process must exit 130 promptly with a message, and the
// directory must stay resumable (run.json, no checkpoint yet).
func TestInterruptWhilePretraining(t *testing.T) {
	bin := descentBinary(t)
	dir := filepath.Join(t.TempDir(), "run")
	p := startDescent(t, bin, nil, "train", "--limit", "5000", "--pretrain", "autoencoder", "--pretrain-epochs", "20", "--quiet", "--out", dir)
	waitForFile(t, p, filepath.Join(dir, "run.json"), time.Minute)
	time.Sleep(100 * time.Millisecond)
	sent := time.Now()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	code := p.wait(t, time.Minute)
	if code != exitInterrupted || !strings.Contains(p.stderr.String(), "interrupted while preparing the run") {
		t.Fatalf("exit %d, stderr %q: want %d and a message", code, p.stderr.String(), exitInterrupted)
	}
	if d := time.Since(sent); d > 2*time.Second {
		t.Fatalf("exited %v after Ctrl-C: want promptly", d)
	}
}
