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
			red := dist.NewReducer(comm, []*autograd.Var[float32]{p}, 0, 0)
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
