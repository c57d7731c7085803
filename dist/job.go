package dist

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"

	"github.com/descent-ml/descent/internal/kernel"
)

// Closer is a Communicator that must be closed before the process exits
// (MPI_Finalize): what dist/mpi's Init returns.
type Closer interface {
	Communicator
	Close() error
}

// Job is this process's place in a data-parallel job started by mpirun,
// as torch.distributed's process group is; a Job whose Comm is nil is a
// single process.
type Job struct {
	Comm Closer
}

// Join opens the job's communicator. A job of one process (started
// without mpirun) is closed again and returned as a single process. When
// shareCores is set, ranks on one machine split its cores between their
// kernels (OMPI_COMM_WORLD_LOCAL_SIZE ranks share runtime.NumCPU cores).
func Join(open func() (Closer, error), shareCores bool) (*Job, error) {
	c, err := open()
	if err != nil {
		return nil, err
	}
	if c.Size() == 1 {
		return &Job{}, c.Close()
	}
	if shareCores {
		local, _ := strconv.Atoi(os.Getenv("OMPI_COMM_WORLD_LOCAL_SIZE"))
		kernel.SetThreads(max(1, runtime.NumCPU()/max(local, 1)))
	}
	return &Job{Comm: c}, nil
}

// Communicator returns the job's communicator, nil for a single process
// (what train.Trainer.SetCommunicator takes).
func (j *Job) Communicator() Communicator {
	if j.Comm == nil {
		return nil
	}
	return j.Comm
}

// Rank0 reports whether this process is rank 0 (or alone): the one that
// prints and writes files.
func (j *Job) Rank0() bool { return j.Comm == nil || j.Comm.Rank() == 0 }

// Output returns w on rank 0 and io.Discard on the other ranks.
func (j *Job) Output(w io.Writer) io.Writer {
	if !j.Rank0() {
		return io.Discard
	}
	return w
}

// Summary is a line (ending in a newline) on how the job is split, empty
// for a single process.
func (j *Job) Summary() string {
	if j.Comm == nil {
		return ""
	}
	return fmt.Sprintf("distributed: %d ranks, each training on its 1/%d of every batch\n", j.Comm.Size(), j.Comm.Size())
}

// ResumeCommand is the command line that continues a run whose directory
// is dir (quoted for a shell by the caller) with as many ranks.
func (j *Job) ResumeCommand(dir string) string {
	if j.Comm == nil {
		return "descent train --resume " + dir
	}
	return fmt.Sprintf("mpirun -np %d descent train --distributed --resume %s", j.Comm.Size(), dir)
}

// End finishes the job. A shared end (no error, or one that every rank
// meets alike: bad input, divergence, an interrupt, on which the ranks
// agree) has rank 0 print msg, if any, on stderr; then every rank waits at
// a barrier until it has (mpirun ends the job as soon as one rank exits
// non-zero, which could cut rank 0 short) and closes the communicator; End
// returns the first error of the two. An error that is this rank's alone
// is not shared: the others would wait for this rank in their next
// collective, so End prints msg and aborts the whole job (MPI_Abort)
// without returning.
func (j *Job) End(shared bool, msg string) error {
	if j.Comm == nil {
		return nil
	}
	if msg != "" && (!shared || j.Comm.Rank() == 0) {
		fmt.Fprintln(os.Stderr, msg)
	}
	if !shared {
		j.Comm.Abort(1)
	}
	err := j.Comm.Barrier()
	if cerr := j.Comm.Close(); err == nil {
		err = cerr
	}
	return err
}
