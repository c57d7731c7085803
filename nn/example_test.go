package nn_test

import (
	"fmt"
	"github.com/descent-ml/descent/data"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// A small classifier learns the three arms of a 2-D spiral: build a model
// from layers, record the forward pass and the loss on a graph, backpropagate
// and take plain SGD steps with package optim. The same program is examples/spiral.
func Example_spiral() {
	rng := tensor.NewRand(1)
	x, labels := data.Spiral(rng, 100, 3)
	l1, _ := nn.NewLinear[float32](rng, 2, 32, nn.LinearOptions{})
	l2, _ := nn.NewLinear[float32](rng, 32, 32, nn.LinearOptions{})
	l3, _ := nn.NewLinear[float32](rng, 32, 3, nn.LinearOptions{})
	model := nn.NewSequential[float32](l1, nn.ReLU[float32]{}, l2, nn.ReLU[float32]{}, l3)

	g := autograd.New[float32]()
	input := autograd.NewConstant(x)
	opt, _ := optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.2}) // plain SGD: p -= lr·dL/dp
	for step := range 1000 {
		opt.ZeroGrad()
		loss := nn.CrossEntropyLoss(g, model.Forward(g, input), labels)
		if step%200 == 0 {
			fmt.Printf("step %3d: loss %.2f\n", step, loss.Value.Item())
		}
		g.Backward(loss)
		opt.Step()
	}

	predicted := make([]int, len(labels))
	g.NoGrad(func() { tensor.ArgMaxRows(model.Forward(g, input).Value, predicted) })
	correct := 0
	for k, want := range labels {
		if predicted[k] == want {
			correct++
		}
	}
	fmt.Printf("train accuracy: %d of %d\n", correct, len(labels))
	// Output:
	// step   0: loss 1.12
	// step 200: loss 0.50
	// step 400: loss 0.24
	// step 600: loss 0.12
	// step 800: loss 0.08
	// train accuracy: 298 of 300
}

// Initialize the first layer of a model from a checkpoint of another whose
// head differs: LoadPartial copies what fits by name and reports the rest.
func ExampleLoadPartial() {
	rng := tensor.NewRand(1)
	a1, _ := nn.NewLinear[float32](rng, 4, 8, nn.LinearOptions{})
	a2, _ := nn.NewLinear[float32](rng, 8, 3, nn.LinearOptions{})
	checkpoint := nn.CloneStateDict(nn.StateDict[float32](nn.NewSequential[float32](a1, nn.ReLU[float32]{}, a2)))

	b1, _ := nn.NewLinear[float32](rng, 4, 8, nn.LinearOptions{})
	b2, _ := nn.NewLinear[float32](rng, 8, 5, nn.LinearOptions{}) // a new head: 5 classes
	model := nn.NewSequential[float32](b1, nn.ReLU[float32]{}, b2)

	fmt.Println(nn.LoadStateDict[float32](model, checkpoint, true))
	// CheckPartial is the same check, without the copy: check a file
	// before training starts.
	_, err := nn.CheckPartial[float32](model, checkpoint)
	fmt.Println(err)
	partial := []nn.NamedTensor[float32]{checkpoint[0], checkpoint[1]}
	report, err := nn.LoadPartial[float32](model, partial)
	fmt.Println("loaded", report.Loaded, "missing", report.Missing, err)
	// Output:
	// nn: load state dict: "2.weight" has shape [3 8] in the state dict but [5 8] in the model
	// nn: load state dict: "2.weight" has shape [3 8] in the state dict but [5 8] in the model
	// loaded [0.weight 0.bias] missing [2.weight 2.bias] <nil>
}

// BatchNorm1d normalizes each feature with the batch's statistics in
// training mode and updates its running statistics; in evaluation mode it
// uses those.
func ExampleBatchNorm1d() {
	bn, _ := nn.NewBatchNorm1d[float64](1, nn.BatchNormOptions{})
	x := autograd.NewConstant(tensor.FromSlice([]float64{1, 2, 3, 4}, 4, 1))
	g := autograd.New[float64]()
	y := bn.Forward(g, x)
	fmt.Printf("train: %.4f\n", y.Value.Data())
	fmt.Printf("running mean %.2f, running var %.4f (0.9·1 + 0.1·5/3), batches %d\n",
		bn.RunningMean.Data()[0], bn.RunningVar.Data()[0], bn.NumBatchesTracked[0])
	bn.SetTraining(false)
	fmt.Printf("eval: %.4f\n", bn.Forward(g, x).Value.Data())
	// Output:
	// train: [-1.3416 -0.4472 0.4472 1.3416]
	// running mean 0.25, running var 1.0667 (0.9·1 + 0.1·5/3), batches 1
	// eval: [0.7262 1.6944 2.6627 3.6309]
}
