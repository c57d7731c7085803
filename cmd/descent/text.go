package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// Defaults of descent train --text where they differ from MNIST's.
var textDefaults = trainConfig{Model: "lstm", Hidden: "256", Layers: 2, Opt: "adam", LR: "0.002", Batch: "32", Epochs: 10, ClipGradNorm: 5}

// textSampleLength is the length of the sample printed after each epoch.
const textSampleLength = 200

// addTextFlags defines train's flags of the byte-level language model.
func addTextFlags(fs *flag.FlagSet) (text *string, bptt *int) {
	text = fs.String("text", "", "train a byte-level language model (--model lstm, rnn or gru; Embedding(256, 64) -> recurrent -> Linear(H, 256)) on this file instead of MNIST; its last 10% is the test set")
	bptt = fs.Int("bptt", 64, "with --text: steps of truncated backpropagation through time")
	return text, bptt
}

// textFlags are the train flags that a --text run takes.
var textFlags = []string{"text", "bptt", "model", "hidden", "layers", "act", "opt", "lr", "set", "epochs", "batch", "seed", "clip-grad-norm", "out", "quiet", "threads"}

// runTextTrain is descent train --text: a byte-level language model
// (models.TextModel) trained by truncated BPTT (train.TrainLM) on the
// file's first 90%, tested on its last 10%; a sample after each epoch,
// model.safetensors in the output directory, and the final line
// "test bits per byte: X".
func runTextTrain(w io.Writer, c trainConfig, given map[string]bool, path string, bptt int, out string, quiet bool) error {
	for name := range given {
		if !slices.Contains(textFlags, name) {
			return usagef("--%s does not apply to --text (flags for --text: --%s)", name, strings.Join(textFlags[1:], ", --"))
		}
	}
	d := textDefaults
	if !given["model"] {
		c.Model = d.Model
	}
	if !slices.Contains(models.RecurrentNames, c.Model) {
		return usagef("--text trains a recurrent language model: --model %s, not %q", strings.Join(models.RecurrentNames, ", "), c.Model)
	}
	if bptt < 1 {
		return usagef("--bptt %d: want at least 1 step of backpropagation through time", bptt)
	}
	if !given["hidden"] {
		c.Hidden = d.Hidden
	}
	if !given["layers"] {
		c.Layers = d.Layers
	}
	if !given["act"] {
		c.Act = recurrentAct
	}
	if !given["opt"] {
		c.Opt, c.Set = d.Opt, ""
		if !given["lr"] {
			c.LR = d.LR
		}
	} else if c.Opt != defaultTrainConfig().Opt {
		if !given["set"] {
			c.Set = ""
		}
		if !given["lr"] {
			c.LR = defaultLR(c.Opt)
		}
	}
	if !given["batch"] {
		c.Batch = d.Batch
	}
	if !given["epochs"] {
		c.Epochs = d.Epochs
	}
	if !given["clip-grad-norm"] {
		c.ClipGradNorm = d.ClipGradNorm
	}
	if c.Epochs < 1 {
		return usagef("--epochs %d: want a positive number", c.Epochs)
	}
	if c.ClipGradNorm < 0 {
		return usagef("--clip-grad-norm %v: want a positive number, or 0 for off", c.ClipGradNorm)
	}
	batch, err := parseBatch(c.Batch)
	if err != nil || batch == 0 {
		return usagef("--batch %q: want a positive number of rows read side by side", c.Batch)
	}
	o, err := seqOptions(c)
	if err != nil {
		return err
	}
	if c.Threads < 0 {
		return usagef("--threads %d: want a positive number, or 0 for all cores", c.Threads)
	}
	if c.Threads > 0 {
		kernel.SetThreads(c.Threads)
	}
	trainText, testText, err := data.LoadText(path)
	if err != nil {
		return usagef("--text %s", strings.TrimPrefix(err.Error(), "data: "))
	}
	model, err := models.NewTextModel[float32](tensor.NewRand(c.Seed), c.Model, 0, o)
	if err != nil {
		return &usageError{err.Error()}
	}
	opt, err := buildTrainOptimizer(c, model.Parameters())
	if err != nil {
		return err
	}
	dir := out
	if dir == "" {
		dir = filepath.Join("runs", time.Now().Format("20060102-150405"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usagef("cannot create output directory: %v", err)
	}
	weights := filepath.Join(dir, "model.safetensors")
	fmt.Fprintf(w, "training a byte-level %s language model (embedding %d, hidden %d, %d layer(s)) on %s: %d bytes, testing on the last %d; bptt %d, batch %d, %s lr %s, %d epochs, writing to %s\n",
		c.Model, models.DefaultEmbedding, o.Hidden, o.Layers, path, len(trainText), len(testText), bptt, batch, c.Opt, c.LR, c.Epochs, dir)
	rng := tensor.NewRand(c.Seed + 1)
	var saveErr error
	hist, err := train.TrainLM(model, opt, trainText, testText, train.LMOptions{
		Epochs: c.Epochs, Batch: batch, BPTT: bptt, ClipGradNorm: c.ClipGradNorm, Out: w,
		EpochEnd: func(e train.LMEpoch) {
			if saveErr == nil {
				saveErr = train.SaveWeights(weights, model)
			}
			if quiet {
				return
			}
			s, err := train.SampleLM(model, rng, nil, textSampleLength, 0.8)
			if err == nil {
				fmt.Fprintf(w, "--- sample after epoch %d ---\n%s\n---\n", e.Epoch, s)
			}
		}})
	if err != nil {
		return err
	}
	if saveErr != nil {
		return saveErr
	}
	fmt.Fprintf(w, "wrote %s; sample from it with: descent sample --weights %s\n", weights, shellQuote(weights))
	fmt.Fprintf(w, "test bits per byte: %.4f\n", hist[len(hist)-1].TestBits)
	return nil
}
