package lab_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/lab"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// Compare SGD and Adam on 256 MNIST digits: the same initial weights (the
// same seed) and the same data order for both; compare.png and
// compare.csv are written into the directory.
func ExampleCompare() {
	tr, te, err := data.LoadMNIST()
	if err != nil {
		fmt.Println(err)
		return
	}
	trainSet, _ := data.First(tr, 256)
	testSet, _ := data.First(te, 256)
	var cs []lab.Contestant
	for _, opt := range []struct{ name, lr string }{{"sgd", "0.1"}, {"adam", "0.001"}} {
		model, _ := models.MLP[float32](tensor.NewRand(1), 784, []int{32}, 10, models.Options{})
		o, err := optim.New(opt.name, model.Parameters(), "lr="+opt.lr)
		if err != nil {
			fmt.Println(err)
			return
		}
		t, err := train.NewTrainer(model, o, trainSet, testSet, true, 1, train.Options{Epochs: 2, BatchSize: 32, Quiet: true})
		if err != nil {
			fmt.Println(err)
			return
		}
		cs = append(cs, lab.Contestant{Name: opt.name, LR: opt.lr, Trainer: t})
	}
	dir, _ := os.MkdirTemp("", "compare")
	defer os.RemoveAll(dir)
	results, err := lab.Compare(context.Background(), cs, dir, "optimizers", io.Discard)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		fmt.Printf("%s: %d epochs, diverged %v\n", r.Name, len(r.History), r.Diverged)
	}
	_, errPNG := os.Stat(dir + "/compare.png")
	_, errCSV := os.Stat(dir + "/compare.csv")
	fmt.Println(errPNG, errCSV)
	// Output:
	// sgd: 2 epochs, diverged false
	// adam: 2 epochs, diverged false
	// <nil> <nil>
}

// The table `descent compare` prints: a run that diverged in its first
// epoch has no accuracy to show.
func ExampleWriteCompareTable() {
	results := []lab.CompareResult{
		{Name: "sgd", LR: "0.1", Seconds: 1.25, History: []train.EpochMetrics{{Epoch: 1, TestLoss: 0.3, TestAccuracy: 0.91}}},
		{Name: "adam", LR: "10", Seconds: 0.5, Diverged: true, DivergedAt: 7},
	}
	var b strings.Builder
	diverged := lab.WriteCompareTable(&b, results)
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		fmt.Println(strings.TrimRight(line, " ")) // tabwriter pads the last column
	}
	fmt.Println(diverged)
	// Output:
	// name  lr   test accuracy  test loss  seconds
	// sgd   0.1  0.9100         0.3000     1.2
	// adam  10   -              -          0.5      diverged at step 7
	// [adam (lr 10) at step 7]
}

// The contestants of `descent compare --opt sgd,adam` (each at its
// CompareLR) and of `--init kaiming_normal,zeros` under momentum.
func ExamplePlanCompare() {
	opts, _ := lab.PlanCompare([]string{"sgd", "adam"}, nil, nil)
	inits, _ := lab.PlanCompare([]string{"momentum"}, []string{"0.01"}, []string{"kaiming_normal", "zeros"})
	_, err := lab.PlanCompare([]string{"sgd", "adam", "radam"}, []string{"0.1", "0.2"}, nil)
	fmt.Printf("%+v\n%+v\n%v\n", opts, inits, err)
	// Output:
	// [{Name:sgd Opt:sgd LR:0.1 Init:} {Name:adam Opt:adam LR:0.001 Init:}]
	// [{Name:kaiming_normal Opt:momentum LR:0.01 Init:kaiming_normal} {Name:zeros Opt:momentum LR:0.01 Init:zeros}]
	// lab: compare: 2 learning rates for 3 optimizers: give one, or one per optimizer
}
