//go:build !mpi

package main

// openMPI refuses: this build has no MPI.
func openMPI() (mpiComm, error) {
	return nil, usagef("--distributed needs a descent built with MPI: apt-get install -y openmpi-bin libopenmpi-dev, then go build -tags mpi ./cmd/descent")
}
