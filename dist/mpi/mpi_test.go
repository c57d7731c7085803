//go:build mpi

package mpi_test

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/descent-ml/descent/dist"
	"github.com/descent-ml/descent/dist/mpi"
)

// TestMain runs the test binary's worker when mpirun started it (Open MPI
// sets OMPI_COMM_WORLD_SIZE), and the tests otherwise.
func TestMain(m *testing.M) {
	if os.Getenv("OMPI_COMM_WORLD_SIZE") != "" && os.Getenv("DESCENT_MPI_WORKER") != "" {
		if err := worker(os.Getenv("DESCENT_MPI_WORKER")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func worker(kind string) error {
	c, err := mpi.Init()
	if err != nil {
		return err
	}
	c.Timeout = 20 * time.Second
	r, n := float32(c.Rank()), float32(c.Size())
	switch kind {
	case "collectives":
		buf := []float32{r, 1, 0.5}
		if err := c.AllReduce(buf, dist.Sum); err != nil {
			return err
		}
		if buf[0] != n*(n-1)/2 || buf[1] != n || buf[2] != n/2 {
			return fmt.Errorf("rank %v: all-reduce sum %v", r, buf)
		}
		avg := []float32{r}
		if err := c.AllReduce(avg, dist.Average); err != nil {
			return err
		}
		b := []float32{r + 3}
		if err := c.Broadcast(b, 1); err != nil {
			return err
		}
		if avg[0] != (n-1)/2 || b[0] != 4 {
			return fmt.Errorf("rank %v: average %v, broadcast %v", r, avg, b)
		}
		if err := c.Barrier(); err != nil {
			return err
		}
		fmt.Printf("rank %d of %d ok\n", c.Rank(), c.Size())
	case "shared":
		// The in-place sum of a shared window equals MPI_Allreduce's, bit for
		// bit (for 2 ranks both add the same two numbers), call after call.
		s, err := c.SharedFloats(10007)
		if err != nil || s == nil {
			return fmt.Errorf("rank %v: SharedFloats: %v, %v", r, s, err)
		}
		ref := make([]float32, len(s.Floats()))
		for call := range 3 {
			for i := range ref {
				v := float32(math.Sin(float64(i+1000*call))) * (r + 1.5)
				ref[i], s.Floats()[i] = v, v
			}
			if err := c.AllReduce(ref, dist.Sum); err != nil {
				return err
			}
			if err := s.Sum(); err != nil {
				return err
			}
			for i, v := range s.Floats() {
				if math.Float32bits(v) != math.Float32bits(ref[i]) {
					return fmt.Errorf("rank %v call %d: shared sum [%d] = %v, MPI_Allreduce %v", r, call, i, v, ref[i])
				}
			}
		}
		fmt.Printf("rank %d of %d ok\n", c.Rank(), c.Size())
	case "lost":
		// Rank 1 dies without a word; rank 0 must not wait forever.
		if c.Rank() == 1 {
			os.Exit(9)
		}
		for {
			if err := c.AllReduce([]float32{1}, dist.Sum); err != nil {
				return err
			}
		}
	}
	return c.Close()
}

// Mpirun returns the mpirun command line for n ranks of this test binary,
// skipping the test when Open MPI is not installed (failing under CI=true).
func mpirun(t *testing.T, n int, kind string) *exec.Cmd {
	t.Helper()
	path, err := exec.LookPath("mpirun")
	if err != nil {
		msg := "mpirun not found: apt-get install -y openmpi-bin libopenmpi-dev"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	cmd := exec.Command(path, "--allow-run-as-root", "--oversubscribe", "-np", fmt.Sprint(n),
		"-x", "DESCENT_MPI_WORKER="+kind, os.Args[0])
	cmd.Env = append(os.Environ(), "DESCENT_MPI_WORKER="+kind)
	return cmd
}

func TestCollectivesUnderMpirun(t *testing.T) {
	out, err := mpirun(t, 2, "collectives").CombinedOutput()
	if err != nil || strings.Count(string(out), " ok\n") != 2 {
		t.Fatalf("mpirun -np 2: %v\n%s", err, out)
	}
}

func TestSharedSumUnderMpirun(t *testing.T) {
	out, err := mpirun(t, 2, "shared").CombinedOutput()
	if err != nil || strings.Count(string(out), " ok\n") != 2 {
		t.Fatalf("mpirun -np 2: %v\n%s", err, out)
	}
}

func TestLostRankEndsTheJob(t *testing.T) {
	cmd := mpirun(t, 2, "lost")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the job exited 0 after losing a rank:\n%s", out)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("the job took %v to end after losing a rank, want under 30s", d)
	}
	t.Logf("%v after %v", err, time.Since(start))
}
