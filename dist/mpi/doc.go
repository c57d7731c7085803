// Package mpi binds the few Open MPI calls that data-parallel training
// needs (MPI_Init_thread, MPI_Comm_rank and MPI_Comm_size, MPI_Bcast,
// MPI_Allreduce, MPI_Barrier, MPI_Abort, MPI_Finalize, and for ranks on
// one machine MPI_Comm_split_type, MPI_Win_allocate_shared,
// MPI_Win_shared_query and MPI_Win_free) and offers them as a
// dist.Communicator over MPI_COMM_WORLD that is also a dist.SharedMemory.
//
// The binding uses cgo and is compiled only with the `mpi` build tag
// (go build -tags mpi ./cmd/descent), with Open MPI's headers and library
// installed (Debian: apt-get install -y openmpi-bin libopenmpi-dev); without
// the tag this package is empty and the default build stays pure Go.
//
// Every MPI call runs on one goroutine locked to the OS thread that called
// MPI_Init_thread, so MPI_THREAD_FUNNELED is all the library must provide,
// whatever goroutines use the Communicator. Errors are returned, not fatal
// (MPI_ERRORS_RETURN on MPI_COMM_WORLD), and a collective that waits longer
// than Comm.Timeout ends the process with exit status 1, so a rank that
// died or hangs cannot make the others wait forever: mpirun then ends the
// whole job.
package mpi
