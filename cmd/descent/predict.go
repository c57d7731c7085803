package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

func init() {
	register(&command{
		name:    "predict",
		summary: "predictions of a trained run on new data, as CSV on standard output",
		usage: "--run DIR --data FILE.csv|DIR\n\n" +
			"Reads the run's model.safetensors, run.json and the preprocessing saved with it, treats the data as\n" +
			"the training data were treated, and writes one CSV row per example: id (the 0-based data row of a\n" +
			"CSV file, or the image's path under DIR), prediction (the label as written in the training data, or\n" +
			"the number for a regression) and, for a classification, p_CLASS: the probability of each class.",
		examples: []string{"descent predict --run runs/blobs --data new.csv > predictions.csv"},
		run:      func(fs *flag.FlagSet, args []string) error { return runPredict(os.Stdout, fs, args) },
	})
}

func runPredict(w io.Writer, fs *flag.FlagSet, args []string) error {
	dir := fs.String("run", "", "the run directory (required)")
	path := fs.String("data", "", "a CSV file (the target column may be absent) or a folder of class folders of images (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || *path == "" {
		return usagef("--run DIR and --data FILE|DIR are required")
	}
	r, err := loadRun(*dir)
	if err != nil {
		return err
	}
	ds, ids, err := r.newData(*path, false)
	if err != nil {
		return err
	}
	return writePredictions(w, r, ds, ids)
}

// trainedRun is a finished run loaded for prediction: its configuration,
// model (in evaluation mode) and preprocessing.
type trainedRun struct {
	dir    string
	cfg    trainConfig
	model  nn.Module[float32]
	table  *data.TablePrep
	images *data.ImagePrep
}

// loadRun reads run.json, the saved preprocessing and model.safetensors of
// the run in dir.
func loadRun(dir string) (*trainedRun, error) {
	info, err := readRunInfo(dir)
	if err != nil {
		return nil, usagef("--run: %s", strings.TrimPrefix(err.Error(), "--resume "))
	}
	r := &trainedRun{dir: dir, cfg: info.Config}
	if r.table, r.images, err = data.ReadRunPrep(dir); err != nil {
		return nil, usagef("--run %s: %v", dir, err)
	}
	if r.table == nil && r.images == nil {
		return nil, usagef("--run %s: the run was not trained on a CSV file or an image folder (no %s or %s); use descent eval --weights for IDX data",
			dir, data.TablePrepFile, data.ImagePrepFile)
	}
	shape, classes := []int{0}, 0
	if r.table != nil {
		shape, classes = []int{r.table.Features()}, len(r.table.Classes)
	} else {
		shape, classes = []int{r.images.Channels, r.images.Height, r.images.Width}, len(r.images.Classes)
	}
	if r.model, err = buildModelFor(r.cfg, shape, classes); err != nil {
		return nil, usagef("--run %s: run.json: %v", dir, err)
	}
	weights := filepath.Join(dir, "model.safetensors")
	sd, err := train.LoadWeights(weights)
	if err != nil {
		return nil, usagef("--run %s: %v (has the run finished an epoch?)", dir, err)
	}
	if err := checkFiniteWeights(weights, sd); err != nil {
		return nil, err
	}
	if err := nn.LoadStateDict[float32](r.model, sd, true); err != nil {
		return nil, usagef("%s does not fit the run's model: %v", weights, err)
	}
	nn.SetTraining(r.model, false) // BatchNorm uses its running statistics
	return r, nil
}

// newData reads new data with the run's preprocessing, and the id of each
// example. labelled says the data must hold targets (eval).
func (r *trainedRun) newData(path string, labelled bool) (data.Dataset, []string, error) {
	if r.table != nil {
		tb, err := data.ReadCSVFile(path, data.CSVOptions{Target: r.table.Target, Prep: r.table})
		if err != nil {
			return nil, nil, dataUsageError(&data.InputError{Err: err})
		}
		if labelled && !tb.HasTarget() {
			return nil, nil, usagef("%s: no target column %s: eval needs labelled data (descent predict takes unlabelled rows)", path, r.table.Target)
		}
		ds, err := tb.Dataset(r.table, nil)
		if err != nil {
			return nil, nil, usagef("%s: %v", path, err)
		}
		ids := make([]string, ds.Len())
		for i := range ids {
			ids[i] = strconv.Itoa(ds.Row(i))
		}
		return ds, ids, nil
	}
	f, err := data.ReadImageFolder(path, data.ImageFolderOptions{Prep: r.images})
	if err != nil {
		return nil, nil, dataUsageError(&data.InputError{Err: err})
	}
	ds, err := f.Dataset(r.images, nil)
	if err != nil {
		return nil, nil, usagef("%s: %v", path, err)
	}
	ids := make([]string, ds.Len())
	for i := range ids {
		ids[i] = ds.File(i)
	}
	return ds, ids, nil
}

// classes returns the class labels as written, none for a regression.
func (r *trainedRun) classes() []string {
	if r.table != nil {
		return r.table.Classes
	}
	return r.images.Classes
}

// writePredictions runs the model over ds in batches and writes the CSV.
func writePredictions(w io.Writer, r *trainedRun, ds data.Dataset, ids []string) error {
	classes := r.classes()
	cw := csv.NewWriter(w)
	header := []string{"id", "prediction"}
	for _, c := range classes {
		header = append(header, "p_"+c)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	loader, err := data.NewLoader[float32](ds, data.LoaderOptions{BatchSize: 1000, NoShuffle: true, Flat: r.cfg.Model == "mlp"}, tensor.NewRand(0))
	if err != nil {
		return err
	}
	g := autograd.New[float32]()
	x := autograd.NewConstant(tensor.New[float32](0))
	row := make([]string, len(header))
	var werr error
	g.NoGrad(func() {
		for _, b := range loader.Epoch(0) {
			g.Reset()
			x.Value = b.X
			out := r.model.Forward(g, x).Value
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

// runEvalRun is descent eval --run DIR --data FILE|DIR: the loss and the
// metric of a trained run on new labelled data.
func runEvalRun(w io.Writer, dir, path string) error {
	if path == "" {
		return usagef("--run needs --data FILE|DIR: the labelled data to evaluate on")
	}
	r, err := loadRun(dir)
	if err != nil {
		return err
	}
	ds, _, err := r.newData(path, true)
	if err != nil {
		return err
	}
	loss, acc := train.Evaluate(r.model, ds, r.cfg.Model == "mlp", 1000, nil)
	fmt.Fprintf(w, "test loss: %.4f on %d examples\n", loss, ds.Len())
	finalMetric(w, ds, train.EpochMetrics{TestLoss: loss, TestAccuracy: acc})
	return nil
}
