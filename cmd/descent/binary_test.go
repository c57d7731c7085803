package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests in this file build the descent binary once and run it as a
// user would, to kill it (SIGKILL, SIGINT) and to vary GOMAXPROCS. They are
// skipped with -short.

var built struct {
	once      sync.Once
	dir, path string
	err       error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	if builtMPI.dir != "" {
		os.RemoveAll(builtMPI.dir)
	}
	os.Exit(code)
}

// descentBinary builds the descent command (once per test binary) and
// returns its path.
func descentBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the descent binary; skipped with -short")
	}
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "descent-bin-"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "descent")
		if out, err := exec.Command("go", "build", "-o", built.path, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// proc is a running descent process.
type proc struct {
	cmd     *exec.Cmd
	stdout  bytes.Buffer // complete once done is closed
	stderr  bytes.Buffer
	started chan struct{} // closed when a "training" or "resuming" line is printed
	done    chan struct{} // closed when the process has exited
	code    int
}

// startDescent runs the binary with args and extra environment.
func startDescent(t *testing.T, bin string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), started: make(chan struct{}), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			p.stdout.WriteString(line + "\n")
			if strings.HasPrefix(line, "training ") || strings.HasPrefix(line, "resuming ") {
				once.Do(func() { close(p.started) })
			}
		}
		_, _ = io.Copy(io.Discard, out)
		err := p.cmd.Wait()
		p.code = 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				p.code = 128 + int(ws.Signal())
			}
		} else if err != nil {
			p.code = -1
		}
		close(p.done)
	}()
	return p
}

// wait waits for the process to exit (at most limit) and returns its exit
// status.
func (p *proc) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(limit):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("%v still running after %v; stdout:\n%s\nstderr:\n%s", p.cmd.Args, limit, p.stdout.String(), p.stderr.String())
		return -1
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// runDescent runs the binary to completion and returns its exit status,
// stdout and stderr.
func runDescent(t *testing.T, bin string, env []string, args ...string) (int, string, string) {
	t.Helper()
	p := startDescent(t, bin, env, args...)
	code := p.wait(t, 5*time.Minute)
	return code, p.stdout.String(), p.stderr.String()
}

// waitForFile polls until path exists.
func waitForFile(t *testing.T, p *proc, path string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		select {
		case <-p.done:
			t.Fatalf("%v exited (%d) before %s appeared; stderr: %s", p.cmd.Args, p.code, path, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear within %v", path, limit)
		}
		time.Sleep(time.Millisecond)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// staleTemp lists the temporary files of interrupted atomic writes in dir.
func staleTemp(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
