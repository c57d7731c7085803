package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/descent-ml/descent/train"
)

// The tests in this file run descent under mpirun on this machine: they
// build the binary with -tags mpi (cgo, Open MPI) and launch two ranks.
// Without Open MPI they skip, saying what to install; under CI=true a
// missing Open MPI is a failure. They are skipped with -short.

var builtMPI struct {
	once      sync.Once
	dir, path string
	err       error
}

const installMPI = "apt-get install -y openmpi-bin libopenmpi-dev"

// mpiBinary builds descent with -tags mpi (once) and returns its path and
// mpirun's.
func mpiBinary(t *testing.T) (bin, mpirun string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds descent with -tags mpi and runs it under mpirun; skipped with -short")
	}
	mpirun, err := exec.LookPath("mpirun")
	if err == nil {
		err = exec.Command("pkg-config", "--exists", "ompi-c").Run()
	}
	if err != nil {
		msg := "Open MPI is not installed (mpirun and its headers): " + installMPI
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	builtMPI.once.Do(func() {
		if builtMPI.dir, builtMPI.err = os.MkdirTemp("", "descent-mpi-"); builtMPI.err != nil {
			return
		}
		builtMPI.path = filepath.Join(builtMPI.dir, "descent")
		if out, err := exec.Command("go", "build", "-tags", "mpi", "-o", builtMPI.path, ".").CombinedOutput(); err != nil {
			builtMPI.err = fmt.Errorf("go build -tags mpi: %v\n%s", err, out)
		}
	})
	if builtMPI.err != nil {
		t.Fatal(builtMPI.err)
	}
	return builtMPI.path, mpirun
}

// mpiCmd returns the command that runs descent on n ranks.
func mpiCmd(bin, mpirun string, n int, args ...string) *exec.Cmd {
	return exec.Command(mpirun, append([]string{"--allow-run-as-root", "--oversubscribe", "-np", strconv.Itoa(n), bin}, args...)...)
}

func runOK(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	return string(out)
}

func loadModel(t *testing.T, dir string) map[string][]float32 {
	t.Helper()
	sd, err := train.LoadWeights(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]float32{}
	for _, e := range sd {
		m[e.Name] = e.Tensor.Data()
	}
	return m
}

// One step on 128 images split over 2 ranks equals the single-process step
// on the same 128 images, to float32 rounding, with SGD and with Adam.
func TestMPIStepEqualsOneProcess(t *testing.T) {
	bin, mpirun := mpiBinary(t)
	for _, opt := range []string{"sgd", "adam"} {
		dir := t.TempDir()
		args := []string{"train", "--limit", "128", "--batch", "128", "--epochs", "1", "--opt", opt,
			"--schedule", "none", "--threads", "1", "--quiet", "--out"}
		runOK(t, exec.Command(bin, append(args, filepath.Join(dir, "one"))...))
		out := runOK(t, mpiCmd(bin, mpirun, 2, append(append([]string{}, args...), filepath.Join(dir, "two"), "--distributed")...))
		if !strings.Contains(out, "2 ranks") || strings.Count(out, "test accuracy") != 1 {
			t.Errorf("%s: want one rank's output, got:\n%s", opt, out)
		}
		one, two := loadModel(t, filepath.Join(dir, "one")), loadModel(t, filepath.Join(dir, "two"))
		init := loadInit(t, bin, dir, opt)
		for name, w := range one {
			moved, worst, off := 0.0, 0.0, 0
			for i := range w {
				moved = max(moved, math.Abs(float64(w[i]-init[name][i])))
				d := math.Abs(float64(two[name][i] - w[i]))
				worst = max(worst, d)
				ulp := float64(math.Nextafter32(float32(math.Abs(float64(w[i]))), 1) - float32(math.Abs(float64(w[i]))))
				if d > 1e-5*math.Abs(float64(w[i]-init[name][i]))+2*ulp {
					off++
				}
			}
			// Sums over 64 images and then over 2 ranks instead of over 128
			// round differently. SGD's step is linear in the gradient, so the
			// weights agree to float32 rounding of the update; Adam's first
			// step is lr*g/(|g|+eps), which magnifies the rounding of the few
			// gradients near eps (sums that nearly cancel): those may differ
			// by up to 1% of the step (measured: 0.4%, on 0.005% of the
			// elements).
			tol, share := 1e-4, 0.0
			if opt == "adam" {
				tol, share = 1e-2, 1e-3
			}
			t.Logf("%s %s: largest difference %.3g, %.3g of the step; %d of %d elements beyond 1e-5 of their step + 2 ulp", opt, name, worst, worst/moved, off, len(w))
			if moved == 0 || worst > tol*moved || float64(off) > share*float64(len(w)) {
				t.Errorf("%s: %s: 2 ranks differ from one process by %g (%d elements beyond rounding); the step moved it by %g", opt, name, worst, off, moved)
			}
		}
	}
}

// loadInit returns the initial weights (an --epochs run with lr 0).
func loadInit(t *testing.T, bin, dir, opt string) map[string][]float32 {
	t.Helper()
	d := filepath.Join(dir, "init")
	runOK(t, exec.Command(bin, "train", "--limit", "128", "--batch", "128", "--epochs", "1", "--opt", opt,
		"--lr", "0", "--schedule", "none", "--quiet", "--out", d))
	return loadModel(t, d)
}

// kill -9 of one rank ends the job, non-zero, within 30 s, leaving the
// last checkpoint whole; resuming on 2 ranks then gives the bits of an
// uninterrupted run, and resuming on another number of ranks is refused.
func TestMPIKillAndResume(t *testing.T) {
	bin, mpirun := mpiBinary(t)
	dir := t.TempDir()
	args := []string{"train", "--distributed", "--limit", "512", "--batch", "32", "--epochs", "12", "--hidden", "256,128",
		"--opt", "adam", "--checkpoint-every", "4", "--threads", "1", "--quiet", "--out"}
	full := filepath.Join(dir, "full")
	runOK(t, mpiCmd(bin, mpirun, 2, append(args, full)...))

	cut := filepath.Join(dir, "cut")
	cmd := mpiCmd(bin, mpirun, 2, append(args, cut)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ck := filepath.Join(cut, train.CheckpointFile)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(ck); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no checkpoint after 60s:\n%s", out.String())
		}
	}
	rank1 := rankPID(t, cmd.Process.Pid, 1)
	killed := time.Now()
	if err := syscall.Kill(rank1, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatalf("the job exited 0 after rank 1 was killed:\n%s", out.String())
		}
		t.Logf("the job ended %v after kill -9 of rank 1: %v", time.Since(killed).Round(time.Millisecond), err)
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the job still ran 30s after kill -9 of rank 1:\n%s", out.String())
	}
	c, err := train.LoadCheckpoint(ck)
	if err != nil {
		t.Fatalf("the checkpoint is damaged: %v", err)
	}
	if c.Position().Finished {
		t.Fatalf("the run finished before the kill: make it longer")
	}
	refused, err := exec.Command(bin, "train", "--resume", cut).CombinedOutput()
	if err == nil || !strings.Contains(string(refused), "written by 2 rank(s), this job has 1") || strings.Count(string(refused), "\n") != 1 {
		t.Errorf("resume on 1 process: %v\n%s", err, refused)
	}
	runOK(t, mpiCmd(bin, mpirun, 2, "train", "--distributed", "--resume", cut, "--quiet"))
	want, got := loadModel(t, full), loadModel(t, cut)
	for name, w := range want {
		for i := range w {
			if math.Float32bits(w[i]) != math.Float32bits(got[name][i]) {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", name, i, got[name][i], w[i])
			}
		}
	}
}

// rankPID finds the process of an mpirun child by its OMPI_COMM_WORLD_RANK.
func rankPID(t *testing.T, mpirunPID, rank int) int {
	t.Helper()
	want := fmt.Sprintf("OMPI_COMM_WORLD_RANK=%d\x00", rank)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
			if err != nil {
				continue
			}
			// Field 4 of stat is the parent's pid; the command may hold spaces,
			// so count from the last ')'.
			f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
			if len(f) < 2 || f[1] != strconv.Itoa(mpirunPID) {
				continue
			}
			env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
			if err == nil && bytes.Contains(env, []byte(want)) {
				return pid
			}
		}
	}
	t.Fatalf("no process of rank %d under mpirun %d", rank, mpirunPID)
	return 0
}

// descent bench --distributed prints the all-reduce table and one line per
// rank, on rank 0 only; two ranks on this machine sum their gradients in
// shared memory, and the bench also times the buckets' all-reduces.
func TestMPIBench(t *testing.T) {
	bin, mpirun := mpiBinary(t)
	out := runOK(t, mpiCmd(bin, mpirun, 2, "bench", "--distributed", "--threads", "1", "--steps", "2"))
	if !strings.Contains(out, "all-reduce bytes") || !strings.Contains(out, "16777216") ||
		strings.Count(out, "descent bench --distributed: 2 rank(s)") != 1 ||
		!strings.Contains(out, "gradients summed in place in memory the ranks share") {
		t.Errorf("output:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for r, line := range lines[len(lines)-2:] {
		f := strings.Fields(line)
		if len(f) != 6 || f[0] != strconv.Itoa(r) {
			t.Errorf("rank line %q: want rank, step_ms, peak_rss_MiB, go_heap_MiB, step_ms_one_bucket_after_backward, step_ms_allreduce_buckets", line)
			continue
		}
		for _, v := range f[1:] {
			if x, err := strconv.ParseFloat(v, 64); err != nil || !(x > 0) {
				t.Errorf("rank line %q: %q is not a positive number", line, v)
			}
		}
	}
}
