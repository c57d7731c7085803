package train

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/tensor"
)

// TextDefaults sets, for every key of TrainText's that given does not
// hold, the defaults of a byte-level language model: a 2-layer LSTM of hidden
// size 256, Adam at lr 0.002, batch 32, 10 epochs, gradients clipped to
// norm 5.
func (c *Config) TextDefaults(given map[string]bool) {
	set := func(key string, apply func()) {
		if !given[key] {
			apply()
		}
	}
	set("model", func() { c.Model = "lstm" })
	set("hidden", func() { c.Hidden = "256" })
	set("layers", func() { c.Layers = 2 })
	set("act", func() { c.Act = "tanh" })
	set("opt", func() {
		c.Opt, c.Set = "adam", ""
		set("lr", func() { c.LR = "0.002" })
	})
	set("batch", func() { c.Batch = "32" })
	set("epochs", func() { c.Epochs = 10 })
	set("clip_grad_norm", func() { c.ClipGradNorm = 5 })
}

// TextOptions say what TrainText learns from and where it writes.
type TextOptions struct {
	Path  string    // the text file; its first 90% trains, its last 10% tests (data.LoadText)
	BPTT  int       // steps of truncated backpropagation through time
	Dir   string    // where model.safetensors, metrics.csv and curves.png are written after each epoch
	Out   io.Writer // a first line, one line per epoch and a sample after each; nil is silent
	Quiet bool      // no samples
	// SampleLength is the length of the sample after each epoch; 0 is 200.
	SampleLength int
}

// TrainText trains a byte-level language model (models.TextModel:
// Embedding(256, 64) -> the recurrent layers c names -> Linear(H, 256))
// by truncated BPTT (TrainLM) on o.Path, saving its weights in
// o.Dir/model.safetensors, and metrics.csv and curves.png as a
// classifier's run does, after every epoch. It returns their path and
// the epochs' results. It reads c's Model, Hidden, Layers, Act, Opt, LR,
// Set, Epochs, Batch, Seed, ClipGradNorm and Threads, and ignores the
// rest; a mistake in those, or an unreadable file, is a ConfigError.
func TrainText(c Config, o TextOptions) (weights string, hist []LMEpoch, err error) {
	if !isRecurrent(c.Model) {
		return "", nil, configErrorf("{text:a text model} trains a recurrent language model: {model} %s, not %q", strings.Join(models.RecurrentNames, ", "), c.Model)
	}
	if o.BPTT < 1 {
		return "", nil, configErrorf("{bptt} %d: want at least 1 step of backpropagation through time", o.BPTT)
	}
	if c.Epochs < 1 {
		return "", nil, configErrorf("{epochs} %d: want a positive number", c.Epochs)
	}
	if c.ClipGradNorm < 0 {
		return "", nil, configErrorf("{clip_grad_norm} %v: want a positive number, or 0 for off", c.ClipGradNorm)
	}
	batch, err := strconv.Atoi(c.Batch)
	if err != nil || batch <= 0 {
		return "", nil, configErrorf("{batch} %q: want a positive number of rows read side by side", c.Batch)
	}
	so, err := c.seqOptions()
	if err != nil {
		return "", nil, err
	}
	if err := c.SetThreads(); err != nil {
		return "", nil, err
	}
	trainText, testText, err := data.LoadText(o.Path)
	if err != nil {
		return "", nil, configErrorf("{text:text file} %s", strings.TrimPrefix(err.Error(), "data: ")).wrap(err)
	}
	model, err := models.NewTextModel[float32](tensor.NewRand(c.Seed), c.Model, 0, so)
	if err != nil {
		return "", nil, inputError(err)
	}
	opt, err := BuildOptimizer(c, model.Parameters())
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return "", nil, configErrorf("cannot create output directory: %v", err)
	}
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	weights = filepath.Join(o.Dir, "model.safetensors")
	fmt.Fprintf(out, "training a byte-level %s language model (embedding %d, hidden %d, %d layer(s)) on %s: %d bytes, testing on the last %d; bptt %d, batch %d, %s lr %s, %d epochs, writing to %s\n",
		c.Model, models.DefaultEmbedding, so.Hidden, so.Layers, o.Path, len(trainText), len(testText), o.BPTT, batch, c.Opt, c.LR, c.Epochs, o.Dir)
	rng := tensor.NewRand(c.Seed + 1)
	var saveErr error
	var metrics []EpochMetrics
	var curve []StepLoss
	title := fmt.Sprintf("%s language model on %s, bptt %d, %s lr %s", c.Model, filepath.Base(o.Path), o.BPTT, c.Opt, c.LR)
	hist, err = TrainLM(model, opt, trainText, testText, LMOptions{
		Epochs: c.Epochs, Batch: batch, BPTT: o.BPTT, ClipGradNorm: c.ClipGradNorm, Out: o.Out,
		EpochEnd: func(e LMEpoch) {
			// metrics.csv and curves.png as a classifier's run writes them:
			// the losses are the cross-entropy in nats per byte (bits × ln 2),
			// the accuracy that of the most likely next byte.
			metrics = append(metrics, EpochMetrics{Epoch: e.Epoch, TrainLoss: e.TrainBits * math.Ln2, TestLoss: e.TestBits * math.Ln2,
				TestAccuracy: e.TestAccuracy, LR: opt.Groups()[0].LR, Seconds: e.Duration.Seconds()})
			curve = append(curve, e.Curve...)
			if saveErr == nil {
				saveErr = writeEpochRecords(o.Dir, model, metrics, curve, title)
			}
			if o.Quiet {
				return
			}
			s, err := SampleLM(model, rng, nil, cmp.Or(o.SampleLength, 200), 0.8)
			if err == nil {
				fmt.Fprintf(out, "--- sample after epoch %d ---\n%s\n---\n", e.Epoch, s)
			}
		}})
	if err != nil {
		return "", nil, err
	}
	return weights, hist, saveErr
}

// SetThreads applies c.Threads to the kernels (kernel.SetThreads); 0
// keeps every core, a negative number is a ConfigError.
func (c *Config) SetThreads() error {
	if c.Threads < 0 {
		return configErrorf("{threads} %d: want a positive number, or 0 for all cores", c.Threads)
	}
	if c.Threads > 0 {
		kernel.SetThreads(c.Threads)
	}
	return nil
}
