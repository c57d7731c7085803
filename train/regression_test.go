package train_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// TestRegressionLearns trains an MLP with MSE on y = 3a − 2b + noise: the
// test RMSE must fall from about the target's std (~3.6) to near the
// noise (0.1), and the trainer must have picked MSE, not cross-entropy.
func TestRegressionLearns(t *testing.T) {
	rng := tensor.NewRand(1)
	var sb strings.Builder
	sb.WriteString("a,b,y\n")
	for range 600 {
		a, b := rng.NormFloat64(), rng.NormFloat64()
		fmt.Fprintf(&sb, "%.4f,%.4f,%.4f\n", a, b, 3*a-2*b+0.1*rng.NormFloat64())
	}
	tb, err := data.ReadCSV(strings.NewReader(sb.String()), int64(sb.Len()), "lin.csv", data.CSVOptions{Task: "regression"})
	if err != nil {
		t.Fatal(err)
	}
	trRows, teRows, err := tb.Split(0.2, tensor.NewRand(2))
	if err != nil {
		t.Fatal(err)
	}
	prep := tb.Fit(trRows)
	trainSet, err := tb.Dataset(prep, trRows)
	if err != nil {
		t.Fatal(err)
	}
	testSet, err := tb.Dataset(prep, teRows)
	if err != nil {
		t.Fatal(err)
	}
	if !train.IsRegression(trainSet) {
		t.Fatal("a regression table is not seen as a regression")
	}
	model, err := models.MLP[float32](tensor.NewRand(3), 2, []int{16}, 1, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	before, acc := train.Evaluate(model, testSet, true, 0, nil)
	opt, err := optim.NewAdam(model.Parameters(), optim.AdamConfig{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := train.NewTrainer(model, opt, trainSet, testSet, true, 4, train.Options{Epochs: 30, BatchSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	after, _ := tr.Evaluate(testSet)
	if acc != 0 || !(math.Sqrt(before) > 2) || !(math.Sqrt(after) < 0.3) {
		t.Fatalf("test rmse %.3f before training, %.3f after (accuracy %v): want > 2, then < 0.3", math.Sqrt(before), math.Sqrt(after), acc)
	}
}
