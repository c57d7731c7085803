package main

import (
	"flag"
	"io"
	"os"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/autograd/gradcheck"
	"github.com/descent-ml/descent/models"
)

func init() {
	register(&command{
		name:    "gradcheck",
		summary: "check a model's gradients against finite differences in float64",
		usage: "[--model mlp|cnn|rnn|lstm|gru] [--seed N] [--batch B] [--samples K]\n\n" +
			"Builds the model in float64, records the cross-entropy loss on a random batch and compares\n" +
			"backpropagation's gradient of every parameter with central differences (PyTorch's gradcheck\n" +
			"defaults: eps 1e-6, atol 1e-5, rtol 1e-3) at K randomly chosen elements per parameter.\n" +
			"Prints one line per parameter; exits 1 if any fails.",
		examples: []string{"descent gradcheck --model cnn --samples 5"},
		run:      func(fs *flag.FlagSet, args []string) error { return runGradcheck(os.Stdout, fs, args) },
	})
}

func runGradcheck(w io.Writer, fs *flag.FlagSet, args []string) error {
	model := fs.String("model", "mlp", "model: "+strings.Join(models.AllNames, ", "))
	seed := fs.Uint64("seed", 1, "random seed for weights, batch and the sampled elements")
	batch := fs.Int("batch", 2, "examples in the random batch")
	samples := fs.Int("samples", 20, "elements checked per parameter (0: all, slow)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *batch <= 0 {
		return usagef("--batch %d: want a positive number of examples", *batch)
	}
	if *samples < 0 {
		return usagef("--samples %d: want a count, or 0 for every element", *samples)
	}
	m, recordLoss, err := models.RandomLoss[float64](*model, models.SeqOptions{}, *batch, *seed)
	if err != nil {
		return usagef("--model: %v", err)
	}
	loss := func(g *autograd.Graph[float64], _ []*autograd.Var[float64]) *autograd.Var[float64] {
		return recordLoss(g)
	}
	results, err := gradcheck.Check(loss, m.Parameters(), &gradcheck.Options{MaxPerInput: *samples, Seed: *seed})
	if results == nil && err != nil {
		return err
	}
	if failed := gradcheck.WriteReport(w, m.Parameters(), results); failed > 0 {
		return &exitError{code: 1}
	}
	return nil
}
