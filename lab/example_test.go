package lab_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/descent-ml/descent/lab"
	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/optim/schedule"
)

// The lecture's chain: ten layers of diag(1.5) multiply the input, and the
// gradient on the way back, by 1.5^10.
func ExampleChain() {
	rows, _ := lab.Chain(lab.ChainConfig{Scale: 1.5, Depth: 10, Width: 4})
	last := rows[len(rows)-1]
	fmt.Printf("forward %.3f, backward %.3f\n", last.ForwardGain, last.BackwardGain)
	// Output: forward 57.665, backward 57.665
}

// PyTorch's default init, U(±1/sqrt(n)), has n·D(w) = 1/3: a linear net
// keeps a third of its variance per layer.
func ExampleVariance() {
	rows, _ := lab.Variance(lab.VarianceConfig{
		Inits: []lab.NamedInit{{Label: "torch_default", Init: initializer.TorchDefault{}}},
		Act:   "linear", Depth: 5, Width: 256, Batch: 64, Seed: 1,
	})
	perLayer := math.Pow(rows[4].ForwardVar/rows[0].ForwardVar, 1.0/4)
	fmt.Printf("forward variance kept per layer: %.2f\n", perLayer)
	fmt.Printf("layer 1: Var(y_1) = %.2f\n", rows[0].ForwardVar)
	lab.WriteVarianceCSV(os.Stdout, nil, false)
	// Output:
	// forward variance kept per layer: 0.33
	// layer 1: Var(y_1) = 0.34
	// layer,forward_var,backward_var
}

// Kaiming's normal init for a ReLU layer of fan_in 784 draws each weight
// from N(0, 2/784): a std of sqrt(2/784) = 0.0505, which 200,704 draws
// measure within 0.2%.
func ExampleDrawInit() {
	d, _ := lab.DrawInit(initializer.KaimingNormal{Nonlinearity: "relu"}, []int{256, 784}, 1)
	fmt.Printf("theory %.4f, within 0.2%%: %v\n", d.Law.Std, math.Abs(d.Std/d.Law.Std-1) < 0.002)
	// Output: theory 0.0505, within 0.2%: true
}

// The report `descent init` prints: the draw's statistics beside the law
// of U(-a, a) with a = gain·sqrt(6/(fan_in+fan_out)) = 1.
func ExampleInitDraw_WriteReport() {
	d, _ := lab.DrawInit(initializer.XavierUniform{Gain: 1}, []int{3, 3}, 1)
	d.WriteReport(os.Stdout)
	// Output:
	// scheme  xavier_uniform(gain=1)
	// shape   [3,3] (fan_in 3, fan_out 3)
	// seed    1
	//         measured       theory
	// mean    0.0288243      0
	// std     0.604947       0.57735
	// min     -0.874768      -1 (support)
	// max     0.779649       1 (support)
}

// A small LSTM's gradient norms drawn among the lecture's five other
// runs of the same sizes.
func ExamplePlotBPTTAmong() {
	cfg := lab.BPTTConfig{Cell: "lstm", Steps: 5, Hidden: 4, Input: 2, Batch: 2, Seed: 1}
	norms, _ := lab.BPTT(cfg)
	path := filepath.Join(os.TempDir(), "bptt-example.png")
	defer os.Remove(path)
	err := lab.PlotBPTTAmong(path, cfg, norms)
	_, statErr := os.Stat(path)
	fmt.Println(err, statErr)
	// Output: <nil> <nil>
}

// StepLR's learning rates over five steps, as `descent schedule --name
// step --lr 0.1 --steps 5 --set step_size=2` prints them.
func ExampleWriteScheduleCSV() {
	s, _ := schedule.New("step", 0.1, 5, "step_size=2")
	lab.WriteScheduleCSV(os.Stdout, s, 5)
	// Output:
	// step,lr
	// 0,0.1
	// 1,0.1
	// 2,0.010000000000000002
	// 3,0.010000000000000002
	// 4,0.0010000000000000002
}
