//go:build !mpi

package main

import "github.com/descent-ml/descent/dist"

// openMPI refuses: this build has no MPI.
func openMPI() (dist.Closer, error) {
	return nil, usagef("--distributed needs a descent built with MPI: apt-get install -y openmpi-bin libopenmpi-dev, then go build -tags mpi ./cmd/descent")
}
