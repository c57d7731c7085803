package dist_test

import (
	"io"
	"os"
	"testing"

	"github.com/descent-ml/descent/dist"
)

// closer is a Fake that counts its Close calls, as an MPI communicator
// must be closed (MPI_Finalize).
type closer struct {
	*dist.Fake
	closed int
}

func (c *closer) Close() error { c.closed++; return nil }

func TestJoin(t *testing.T) {
	for _, size := range []int{1, 2, 3} {
		errs := onRanks(t, size, false, func(f *dist.Fake) error {
			c := &closer{Fake: f}
			j, err := dist.Join(func() (dist.Closer, error) { return c, nil }, false)
			if err != nil {
				return err
			}
			single := size == 1
			if (j.Comm == nil) != single || (single && c.closed != 1) {
				t.Errorf("size %d: Comm %v, closed %d times: want a single process, closed, only for size 1", size, j.Comm, c.closed)
			}
			rank0 := f.Rank() == 0
			if j.Rank0() != rank0 || (j.Output(os.Stdout) == io.Discard) == rank0 {
				t.Errorf("size %d rank %d: Rank0 %v, output %v", size, f.Rank(), j.Rank0(), j.Output(os.Stdout))
			}
			wantResume := "descent train --resume d"
			if !single {
				wantResume = "mpirun -np " + string(rune('0'+size)) + " descent train --distributed --resume d"
			}
			if got := j.ResumeCommand("d"); got != wantResume {
				t.Errorf("size %d: ResumeCommand %q, want %q", size, got, wantResume)
			}
			if (j.Summary() == "") != single || (j.Communicator() == nil) != single {
				t.Errorf("size %d: Summary %q, Communicator %v", size, j.Summary(), j.Communicator())
			}
			if err := j.End(true, ""); err != nil {
				return err
			}
			if c.closed != 1 {
				t.Errorf("size %d: closed %d times after End, want 1", size, c.closed)
			}
			return nil
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("size %d rank %d: %v", size, i, err)
			}
		}
	}
}
