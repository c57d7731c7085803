package main

import (
	"flag"
	"io"
	"os"
	"strings"

	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

func init() {
	register(&command{
		name:    "sample",
		summary: "generate text from a byte-level language model (descent train --text)",
		usage: "--weights FILE [--length 500] [--temperature 0.8] [--prime TEXT] [--seed S] [--act tanh|relu]\n\n" +
			"The kind (rnn, lstm or gru) and the sizes come from the file (embed.*, rnn.*, fc.*, as PyTorch's\n" +
			"TextModel); --act is the rnn's nonlinearity, which the file does not record.",
		examples: []string{"descent sample --weights runs/text/model.safetensors --prime func --temperature 0.5"},
		run:      func(fs *flag.FlagSet, args []string) error { return runSample(os.Stdout, fs, args) },
	})
}

func runSample(w io.Writer, fs *flag.FlagSet, args []string) error {
	weights := fs.String("weights", "", "safetensors file written by descent train --text (required)")
	length := fs.Int("length", 500, "bytes to generate")
	temperature := fs.Float64("temperature", 0.8, "divide the logits by this before sampling: lower is more conservative")
	prime := fs.String("prime", "", "text to read before generating (default: a newline)")
	seed := fs.Uint64("seed", 1, "random seed of the draws")
	act := fs.String("act", "tanh", "nonlinearity of an rnn model: tanh or relu")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *weights == "" {
		return usagef("--weights FILE.safetensors is required")
	}
	if *length < 0 || *length > 1<<24 {
		return usagef("--length %d: want 0 to %d bytes", *length, 1<<24)
	}
	if !(*temperature > 0) || *temperature > 1e6 {
		return usagef("--temperature %v: want a positive number", *temperature)
	}
	sd, err := train.LoadFiniteWeights(*weights)
	if err != nil {
		return &usageError{err.Error()}
	}
	model, err := models.TextModelFrom(sd, *act)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "models: ")
		if strings.HasPrefix(msg, "unknown rnn nonlinearity") {
			return usagef("--act: %s", msg)
		}
		return usagef("%s: %s", *weights, msg)
	}
	out, err := train.SampleLM(model, tensor.NewRand(*seed), []byte(*prime), *length, *temperature)
	if err != nil {
		return &usageError{err.Error()}
	}
	_, err = w.Write(append([]byte(*prime), out...))
	return err
}
