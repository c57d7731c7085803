//go:build mpi

package main

import (
	"time"

	"github.com/descent-ml/descent/dist/mpi"
)

// mpiTimeout bounds one collective: past it a rank gives up (another rank
// hangs). A rank that dies is noticed sooner, by mpirun, which ends the job.
const mpiTimeout = 5 * time.Minute

// openMPI initializes MPI (this build has the mpi tag).
func openMPI() (mpiComm, error) {
	c, err := mpi.Init()
	if err != nil {
		return nil, err
	}
	c.Timeout = mpiTimeout
	return c, nil
}
