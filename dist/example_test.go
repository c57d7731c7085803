package dist_test

import (
	"fmt"
	"sync"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/dist"
	"github.com/descent-ml/descent/tensor"
)

// Two ranks (goroutines here, processes under mpirun with dist/mpi) each
// hold a gradient of their half of a batch; the Reducer leaves the mean on
// both.
func ExampleReducer() {
	ranks := dist.NewFake(2, 0)
	grads := [][]float32{{1, 2, 3}, {3, 4, 5}}
	out := make([][]float32, 2)
	var wg sync.WaitGroup
	for r, comm := range ranks {
		wg.Go(func() {
			p := autograd.NewParam(tensor.New[float32](3), "w")
			copy(p.Grad.Data(), grads[r])
			red, err := dist.NewReducer(comm, []*autograd.Var[float32]{p}, 0, 0)
			if err != nil {
				panic(err)
			}
			defer red.Close()
			red.Begin(0.5) // each rank has half of the batch
			red.Ready(p)   // backward would report this through Graph.GradReady
			if err := red.Finish(); err != nil {
				panic(err)
			}
			out[r] = p.Grad.Data()
		})
	}
	wg.Wait()
	fmt.Println(out[0], out[1])
	// Output: [2 3 4] [2 3 4]
}

// finalizing is a Fake that must be closed, as an MPI communicator is.
type finalizing struct{ *dist.Fake }

func (finalizing) Close() error { return nil }

// Outside mpirun a job has one process: Join closes its communicator again
// and the Job runs alone, as rank 0 (it prints and writes files). Under
// mpirun, open is dist/mpi's Open.
func ExampleJoin() {
	open := func() (dist.Closer, error) { return finalizing{dist.NewFake(1, 0)[0]}, nil }
	job, err := dist.Join(open, false)
	if err != nil {
		panic(err)
	}
	fmt.Println(job.Communicator() == nil, job.Rank0(), job.ResumeCommand("runs/a"))
	// Output: true true descent train --resume runs/a
}
