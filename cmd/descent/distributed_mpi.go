//go:build mpi

package main

import (
	"time"

	"github.com/descent-ml/descent/dist"
	"github.com/descent-ml/descent/dist/mpi"
)

// openMPI initializes MPI; a call past 5 minutes (a rank hangs) ends it.
func openMPI() (dist.Closer, error) { return mpi.Open(5 * time.Minute) }
