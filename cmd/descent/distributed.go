package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"

	"github.com/descent-ml/descent/dist"
	"github.com/descent-ml/descent/internal/kernel"
)

// mpiComm is what the MPI build gives: a communicator that must be closed
// (MPI_Finalize) before the process exits.
type mpiComm interface {
	dist.Communicator
	Close() error
}

// distJob is this process's place in a `descent train --distributed` job
// started by mpirun; the zero value is a single process.
type distJob struct {
	comm mpiComm
}

// startJob joins the MPI job when --distributed is given. Ranks other than
// 0 print nothing: it returns the writer for the run's output (w on rank 0,
// io.Discard elsewhere). A job of one process (no mpirun) trains as a
// single process, with a note.
func startJob(distributed, threadsGiven bool, w io.Writer) (*distJob, io.Writer, error) {
	if !distributed {
		return &distJob{}, w, nil
	}
	comm, err := openMPI()
	if err != nil {
		return nil, w, err
	}
	if comm.Size() == 1 {
		fmt.Fprintln(w, "--distributed: this job has one process (start it with mpirun -np N for more); training as a single process")
		if err := comm.Close(); err != nil {
			return nil, w, err
		}
		return &distJob{}, w, nil
	}
	if !threadsGiven {
		// Ranks sharing a machine share its cores.
		local, _ := strconv.Atoi(os.Getenv("OMPI_COMM_WORLD_LOCAL_SIZE"))
		kernel.SetThreads(max(1, runtime.NumCPU()/max(local, 1)))
	}
	j := &distJob{comm: comm}
	if comm.Rank() != 0 {
		w = io.Discard
	}
	return j, w, nil
}

// announce says, on rank 0, how the job is split.
func (j *distJob) announce(w io.Writer) {
	if j.comm != nil {
		fmt.Fprintf(w, "distributed: %d ranks, each training on its 1/%d of every batch\n", j.comm.Size(), j.comm.Size())
	}
}

// communicator returns the job's communicator, nil for one process.
func (j *distJob) communicator() dist.Communicator {
	if j.comm == nil {
		return nil
	}
	return j.comm
}

// rank0 reports whether this process prints and writes the run directory.
func (j *distJob) rank0() bool { return j.comm == nil || j.comm.Rank() == 0 }

// end finishes the job with the run's error. Errors every rank meets alike
// (bad input, divergence, an interrupt: the ranks agree on them) close MPI
// and are reported by rank 0 only; any other error is this rank's alone,
// so it is reported with the rank and the whole job is aborted, since the
// other ranks would wait for it in their next collective.
func (j *distJob) end(err error) error {
	if j.comm == nil {
		return err
	}
	var ue *usageError
	var ee *exitError
	code := 0
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.code
	case errors.As(err, &ue), isFlagError(err):
		code = 2
	default:
		fmt.Fprintf(os.Stderr, "descent: rank %d: %s\n", j.comm.Rank(), oneLine(err.Error()))
		j.comm.Abort(1)
	}
	if err != nil && j.comm.Rank() == 0 {
		// Said before MPI closes: mpirun ends the job as soon as one rank
		// exits non-zero, which could cut rank 0 short.
		if code == 2 {
			fmt.Fprintf(os.Stderr, "descent train: %s (see descent train --help)\n", oneLine(err.Error()))
		} else if ee != nil && ee.msg != "" {
			fmt.Fprintf(os.Stderr, "descent train: %s\n", ee.msg)
		}
	}
	berr := j.comm.Barrier() // every rank waits until rank 0 has said it
	if cerr := j.comm.Close(); err == nil {
		err = errors.Join(berr, cerr)
	}
	if err != nil {
		return &exitError{code: max(code, 1)} // said above
	}
	return nil
}

// resumeCommand is the command line that continues the run in dir.
func (j *distJob) resumeCommand(dir string) string {
	if j.comm == nil {
		return "descent train --resume " + shellQuote(dir)
	}
	return fmt.Sprintf("mpirun -np %d descent train --distributed --resume %s", j.comm.Size(), shellQuote(dir))
}
