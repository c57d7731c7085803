package train

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// Trained is a finished run loaded for prediction (descent predict and
// eval --run): its configuration, model and the preprocessing of its
// training data, which new data go through too (Prep.ReadNew).
type Trained struct {
	Config Config
	Model  nn.Module[float32]
	Prep   data.RunPrep
}

// LoadTrained reads run.json, the saved preprocessing and
// model.safetensors of the run in dir: a run trained on a CSV file or an
// image folder. Its errors are ConfigErrors naming dir as the field run.
func LoadTrained(dir string) (*Trained, error) {
	info, err := ReadRunInfo(dir)
	if err != nil {
		var ce *ConfigError // ReadRunInfo's errors name dir as resume
		if !errors.As(err, &ce) {
			return nil, err
		}
		ce = &ConfigError{format: strings.TrimPrefix(ce.format, "{resume:run directory} "), args: ce.args, err: ce.err}
		return nil, ce.within("{run}: ")
	}
	t := &Trained{Config: info.Config}
	if t.Prep.Table, t.Prep.Images, err = data.ReadRunPrep(dir); err != nil {
		return nil, configErrorf("{run} %s: %v", dir, err)
	}
	if t.Prep.Shape() == nil {
		return nil, configErrorf("{run} %s: the run was not trained on a CSV file or an image folder (no %s or %s); use descent eval --weights for IDX data",
			dir, data.TablePrepFile, data.ImagePrepFile)
	}
	if t.Model, err = BuildModel(t.Config, t.Prep.Shape(), len(t.Prep.Classes())); err != nil {
		var ce *ConfigError
		if !errors.As(err, &ce) {
			ce = configErrorf("%s", err.Error()).wrap(err)
		}
		return nil, ce.within("{run} %s: run.json: ", dir)
	}
	weights := filepath.Join(dir, "model.safetensors")
	sd, err := LoadFiniteWeights(weights)
	if err != nil {
		return nil, configErrorf("{run} %s: %v (has the run finished an epoch?)", dir, err)
	}
	if err := nn.LoadStateDict[float32](t.Model, sd, true); err != nil {
		return nil, configErrorf("%s does not fit the run's model: %v", weights, err)
	}
	return t, nil
}

// EvaluateWeights is descent eval --weights: the test loss and accuracy
// (TestLoss, TestAccuracy) of the weights in the safetensors file at path
// on the test images c names (LoadImages), and their number. The model is
// c's, its recurrent sizes read from the file where given lacks "hidden"
// and "layers" (RecurrentSizesFrom).
func EvaluateWeights(c Config, path string, given map[string]bool) (m EpochMetrics, images int, err error) {
	sd, err := LoadFiniteWeights(path)
	if err != nil {
		return m, 0, configErrorf("%s", err.Error()).wrap(err)
	}
	if isRecurrent(c.Model) {
		c.RecurrentSizesFrom(given, sd)
	}
	_, testSet, err := LoadImages(c)
	if err != nil {
		return m, 0, err
	}
	model, err := BuildModel(c, testSet.Shape(), testSet.Classes())
	if err != nil {
		return m, 0, err
	}
	if err := nn.LoadStateDict[float32](model, sd, true); err != nil {
		return m, 0, configErrorf("%s does not fit the %s model: %v", path, c.Model, err)
	}
	m.TestLoss, m.TestAccuracy = Evaluate(model, testSet, c.Model == "mlp", 1000, nil)
	return m, testSet.Len(), nil
}

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
