package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/descent-ml/descent/lab"
	"github.com/descent-ml/descent/train"
)

// addTextFlags defines train's flags of the byte-level language model.
func addTextFlags(fs *flag.FlagSet) (text *string, bptt *int) {
	text = fs.String("text", "", "train a byte-level language model (--model lstm, rnn or gru; Embedding(256, 64) -> recurrent -> Linear(H, 256)) on this file instead of MNIST; its last 10% is the test set")
	bptt = fs.Int("bptt", 64, "with --text: steps of truncated backpropagation through time")
	return text, bptt
}

// textFlags are the train flags that a --text run takes.
var textFlags = []string{"text", "bptt", "model", "hidden", "layers", "act", "opt", "lr", "set", "epochs", "batch", "seed", "clip-grad-norm", "out", "quiet", "threads"}

// runTextTrain is descent train --text: a byte-level language model
// trained by truncated BPTT (train.TrainText) on the file's first 90%,
// tested on its last 10%; a sample after each epoch, model.safetensors in
// the output directory, and the final line "test bits per byte: X".
func runTextTrain(w io.Writer, c train.Config, fs *flag.FlagSet, path string, bptt int, out string, quiet bool) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		if err == nil && !slices.Contains(textFlags, f.Name) {
			err = usagef("--%s does not apply to --text (flags for --text: --%s)", f.Name, strings.Join(textFlags[1:], ", --"))
		}
	})
	if err != nil {
		return err
	}
	given := givenKeys(fs)
	c.TextDefaults(given)
	lab.OptimizerDefaults(&c, given)
	if out == "" {
		out = filepath.Join("runs", time.Now().Format("20060102-150405"))
	}
	weights, hist, err := train.TrainText(c, train.TextOptions{Path: path, BPTT: bptt, Dir: out, Out: w, Quiet: quiet})
	if err != nil {
		return flagErr(err)
	}
	act := "" // the file does not record an rnn's nonlinearity: the command to sample carries it
	if c.Model == "rnn" && c.Act == "relu" {
		act = " --act relu"
	}
	fmt.Fprintf(w, "wrote %s; sample from it with: descent sample --weights %s%s\n", weights, shellQuote(weights), act)
	fmt.Fprintf(w, "test bits per byte: %.4f\n", hist[len(hist)-1].TestBits)
	return nil
}
