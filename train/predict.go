package train

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// WritePredictions runs model over ds in batches of 1000 (in evaluation
// mode, so that BatchNorm uses its running statistics) and writes one CSV
// row per example: ids[i], then for a classifier (classes, the labels as
// written in the training data) the most probable class and every class's
// softmax probability (columns p_CLASS, six decimals), for a regression
// (no classes) the output. flat flattens each example (the MLP).
func WritePredictions(w io.Writer, model nn.Module[float32], ds data.Dataset, flat bool, ids, classes []string) error {
	if len(ids) != ds.Len() {
		return fmt.Errorf("train: %d ids for %d examples", len(ids), ds.Len())
	}
	cw := csv.NewWriter(w)
	header := []string{"id", "prediction"}
	for _, c := range classes {
		header = append(header, "p_"+c)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	loader, err := data.NewLoader[float32](ds, data.LoaderOptions{BatchSize: 1000, NoShuffle: true, Flat: flat}, tensor.NewRand(0))
	if err != nil {
		return err
	}
	nn.SetTraining(model, false)
	defer nn.SetTraining(model, true)
	g := autograd.New[float32]()
	x := autograd.NewConstant(tensor.New[float32](0))
	row := make([]string, len(header))
	var werr error
	g.NoGrad(func() {
		for _, b := range loader.Epoch(0) {
			g.Reset()
			x.Value = b.X
			out := model.Forward(g, x).Value
			width := out.Len() / len(b.Index)
			for k, i := range b.Index {
				logits := out.Data()[k*width : (k+1)*width]
				row[0] = ids[i]
				if len(classes) == 0 {
					row[1] = strconv.FormatFloat(float64(logits[0]), 'g', -1, 32)
				} else {
					fillProbabilities(row, logits[:len(classes)], classes)
				}
				if werr = cw.Write(row); werr != nil {
					return
				}
			}
		}
	})
	if werr != nil {
		return werr
	}
	cw.Flush()
	return cw.Error()
}

// fillProbabilities writes the most probable class and the softmax of
// logits into row[1:].
func fillProbabilities(row []string, logits []float32, classes []string) {
	best, mx := 0, math.Inf(-1)
	for j, v := range logits {
		if float64(v) > mx {
			best, mx = j, float64(v)
		}
	}
	var sum float64
	for _, v := range logits {
		sum += math.Exp(float64(v) - mx)
	}
	row[1] = classes[best]
	for j, v := range logits {
		row[2+j] = strconv.FormatFloat(math.Exp(float64(v)-mx)/sum, 'f', 6, 64)
	}
}

// LoadFiniteWeights is LoadWeights for a model about to be used: it also
// refuses weights holding NaN or ±Inf, naming the first such tensor,
// which would only give NaN losses and predictions.
func LoadFiniteWeights(path string) ([]nn.NamedTensor[float32], error) {
	sd, err := LoadWeights(path)
	if err != nil {
		return nil, err
	}
	for _, t := range sd {
		if t.Tensor == nil {
			continue // an integer buffer (num_batches_tracked)
		}
		for i, v := range t.Tensor.Data() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("%s: tensor %q holds %v at index %d; weights must be finite", path, t.Name, v, i)
			}
		}
	}
	return sd, nil
}
