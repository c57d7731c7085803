package train_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// Train a small MLP on 1,000 MNIST images for three epochs and evaluate it
// on 500 test images.
func Example() {
	trainAll, testAll, err := data.LoadMNIST()
	if err != nil {
		panic(err)
	}
	trainSet, _ := data.First(trainAll, 1000)
	testSet, _ := data.First(testAll, 500)
	model, _ := models.MLP[float32](tensor.NewRand(1), 784, []int{64}, 10, models.Options{})
	opt, _ := optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.02, Momentum: 0.9})
	tr, err := train.NewTrainer(model, opt, trainSet, testSet, true, 1, train.Options{Epochs: 3, BatchSize: 32})
	if err != nil {
		panic(err)
	}
	if err := tr.Run(context.Background()); err != nil {
		panic(err)
	}
	last := tr.History()[len(tr.History())-1]
	fmt.Println("epochs:", len(tr.History()))
	fmt.Println("test accuracy above 80%:", last.TestAccuracy > 0.8)
	// Output:
	// epochs: 3
	// test accuracy above 80%: true
}

// Freeze the first layer of an MLP by name prefix (PyTorch's
// p.requires_grad_(False) over a name filter): SelectFrozen checks the
// choice, Freeze turns the gradients off once the weights are those
// training starts from. A prefix that matches nothing is an error that
// lists the parameters there are.
func ExampleSelectFrozen() {
	model, _ := models.MLP[float32](tensor.NewRand(1), 4, []int{3}, 2, models.Options{})
	frozen, err := train.SelectFrozen(model, []string{"0."})
	for _, p := range frozen {
		fmt.Print(p.Name, " ")
	}
	fmt.Println(err)
	train.Freeze(frozen)
	_, err = train.SelectFrozen(model, []string{"1."})
	fmt.Println(err)
	// Output:
	// 0.weight 0.bias <nil>
	// train: freeze: prefix "1." matches no parameter; parameters: 0.weight, 0.bias, 2.weight, 2.bias
}

// The rows `descent lr-find` writes to lr-find.csv.
func ExampleWriteLRFindCSV() {
	r := &train.LRFindResult{Points: []train.LRPoint{{LR: 1e-3, Loss: 2.3, Smoothed: 2.3}, {LR: 1e-2, Loss: 2.1, Smoothed: 2.2}}}
	train.WriteLRFindCSV(os.Stdout, r)
	// Output:
	// step,lr,loss,smoothed_loss
	// 0,0.001,2.3,2.3
	// 1,0.01,2.1,2.2
}

// Weights that hold a NaN are refused with the tensor and the index.
func ExampleLoadFiniteWeights() {
	model, _ := models.MLP[float32](tensor.NewRand(1), 4, []int{3}, 2, models.Options{})
	model.Parameters()[1].Value.Data()[2] = float32(math.NaN())
	path := filepath.Join(os.TempDir(), "nan-weights.safetensors")
	defer os.Remove(path)
	train.SaveWeights(path, model)
	_, err := train.LoadFiniteWeights(path)
	fmt.Println(strings.TrimPrefix(err.Error(), path))
	// Output: : tensor "0.bias" holds NaN at index 2; weights must be finite
}

// Predictions of an untrained classifier on two test digits: the id, the
// most probable class and each class's probability.
func ExampleWritePredictions() {
	_, test, _ := data.LoadMNIST()
	two, _ := data.First(test, 2)
	model, _ := models.MLP[float32](tensor.NewRand(1), 784, []int{8}, 10, models.Options{})
	classes := []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
	var b strings.Builder
	train.WritePredictions(&b, model, two, true, []string{"a", "b"}, classes)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	fmt.Println(lines[0])
	fmt.Println(len(lines)-1, "rows, first id:", strings.Split(lines[1], ",")[0])
	// Output:
	// id,prediction,p_zero,p_one,p_two,p_three,p_four,p_five,p_six,p_seven,p_eight,p_nine
	// 2 rows, first id: a
}
