package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/train"
)

func init() {
	register(&command{
		name:     "eval",
		summary:  "test accuracy of weights in a safetensors file (descent's or PyTorch's)",
		usage:    "--model mlp|cnn|rnn|lstm|gru --weights FILE.safetensors [--data DIR] [--hidden 512,256] [--layers N] [--act relu] [--limit N]\n       or: --run DIR --data FILE.csv|DIR (a run trained on a CSV file or an image folder)\n\nFor rnn, lstm and gru the hidden size and the number of layers come from the file unless given.",
		examples: []string{"descent eval --model mlp --weights runs/first/model.safetensors", "descent eval --run runs/blobs --data blobs.csv"},
		run:      func(fs *flag.FlagSet, args []string) error { return runEval(os.Stdout, fs, args) },
	})
}

func runEval(w io.Writer, fs *flag.FlagSet, args []string) error {
	c := train.Defaults()
	fs.StringVar(&c.Model, "model", c.Model, "model: "+strings.Join(models.AllNames, ", "))
	fs.StringVar(&c.Hidden, "hidden", c.Hidden, "hidden layer widths of the mlp; the hidden size of rnn, lstm and gru (default: from the file)")
	fs.IntVar(&c.Layers, "layers", 0, "recurrent layers of rnn, lstm and gru (default: from the file)")
	fs.StringVar(&c.Act, "act", c.Act, "hidden activation")
	fs.StringVar(&c.Data, "data", "", "directory of IDX files in MNIST's layout (default: the embedded MNIST)")
	fs.IntVar(&c.Limit, "limit", 0, "use only the first N test images (0: all); for tests and quick experiments")
	weights := fs.String("weights", "", "safetensors file of weights with PyTorch's names (required without --run)")
	run := fs.String("run", "", "a run directory trained on a CSV file or an image folder: evaluate it on --data FILE|DIR")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *run != "" {
		return runEvalRun(w, *run, c.Data)
	}
	if *weights == "" {
		return usagef("--weights FILE.safetensors is required")
	}
	if c.Limit < 0 {
		return usagef("--limit %d: want a positive number of images, or 0 for all", c.Limit)
	}
	given := givenKeys(fs)
	noteIgnored(w, &c, given)
	c.RecurrentDefaults(given)
	if c.Model == "rnn" && !given["act"] {
		// The weights do not record an rnn's nonlinearity; the run that
		// wrote them, beside them, does.
		dir := filepath.Dir(*weights)
		if info, err := train.ReadRunInfo(dir); err == nil && info.Config.Model == "rnn" && info.Config.Act != c.Act {
			c.Act = info.Config.Act
			fmt.Fprintf(w, "note: --act %s, from %s (the weights do not record the rnn's nonlinearity)\n", c.Act, filepath.Join(dir, train.RunFile))
		}
	}
	m, images, err := train.EvaluateWeights(c, *weights, given)
	if err != nil {
		return flagErr(err)
	}
	fmt.Fprintf(w, "test loss: %.4f on %d images\n", m.TestLoss, images)
	fmt.Fprintf(w, "test accuracy: %.4f\n", m.TestAccuracy)
	return nil
}
