package train

import (
	"fmt"
	"io"
	"math"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// Targets is a data set of real-valued targets, one per example: a
// regression (data.TableSet of a regression table). A data set that
// implements it and has no classes (Classes() == 0) is trained with the mean
// squared error (PyTorch's nn.MSELoss) of the model's single output, and its
// "accuracy" is not defined: metrics record 0 there.
type Targets interface {
	FillTargets(y []float32, idx []int)
}

// IsRegression reports whether ds is a regression set (see Targets).
func IsRegression(ds data.Dataset) bool {
	_, ok := ds.(Targets)
	return ok && ds.Classes() == 0
}

// WriteFinalMetric writes a run's last line on test: "test accuracy: X",
// or for a regression (IsRegression) "test rmse: X", the root of m's test
// mean squared error.
func WriteFinalMetric(w io.Writer, test data.Dataset, m EpochMetrics) {
	if IsRegression(test) {
		fmt.Fprintf(w, "test rmse: %.4f\n", math.Sqrt(m.TestLoss))
		return
	}
	fmt.Fprintf(w, "test accuracy: %.4f\n", m.TestAccuracy)
}

// regressionLoss fills target with the targets of the examples idx, shaped
// [B, 1] like the model's output, and returns the mean squared error.
// target's storage is reused: a warm step allocates nothing.
func regressionLoss(g *autograd.Graph[float32], out *autograd.Var[float32], ds data.Dataset, idx []int, target *autograd.Var[float32]) *autograd.Var[float32] {
	target.Value.Resize(len(idx), 1)
	ds.(Targets).FillTargets(target.Value.Data(), idx)
	return g.MSE(out, target)
}

// evaluateRegression returns the mean squared error of model on ds, in
// evaluation mode and without recording gradients; the root of it is the
// RMSE the CLI reports.
func evaluateRegression(model nn.Module[float32], ds data.Dataset, flat bool, batch int, g *autograd.Graph[float32]) float64 {
	nn.SetTraining(model, false)
	defer nn.SetTraining(model, true)
	loader, err := data.NewLoader[float32](ds, data.LoaderOptions{BatchSize: batch, NoShuffle: true, Flat: flat}, tensor.NewRand(0))
	if err != nil {
		return math.NaN()
	}
	x := autograd.NewConstant(tensor.New[float32](0))
	y := autograd.NewConstant(tensor.New[float32](0))
	var sum float64
	g.NoGrad(func() {
		for _, b := range loader.Epoch(0) {
			g.Reset()
			x.Value = b.X
			l := regressionLoss(g, model.Forward(g, x), ds, b.Index, y)
			sum += float64(l.Value.Item()) * float64(len(b.Index))
		}
		g.Reset()
	})
	return sum / float64(ds.Len())
}
