package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/models"
)

func init() {
	register(&command{
		name:    "graph",
		summary: "print the computational graph of one training step as Graphviz DOT",
		usage: "[--model mlp|cnn|rnn|lstm|gru] [--grads] [--batch N] [--seed N]\n\n" +
			"Records forward + cross-entropy loss on a random batch and prints the tape: one node per op\n" +
			"with its output shape, parameters as yellow boxes. With --grads it runs backward too and\n" +
			"colours every node by the L2 norm of its gradient (blue small, red large, log scale).\n" +
			"Render with: descent graph --model cnn --grads | dot -Tsvg > graph.svg",
		examples: []string{"descent graph --model mlp --grads > mlp.dot"},
		run:      func(fs *flag.FlagSet, args []string) error { return runGraph(os.Stdout, fs, args) },
	})
}

// maxGraphBatch bounds --batch: the tape's shapes are what graph shows,
// and a batch this large already holds them; more only allocates.
const maxGraphBatch = 4096

func runGraph(w io.Writer, fs *flag.FlagSet, args []string) error {
	model := fs.String("model", "mlp", "model: "+strings.Join(models.AllNames, ", "))
	grads := fs.Bool("grads", false, "run backward and label every node with its gradient's norm")
	batch := fs.Int("batch", 4, "examples in the random batch")
	seed := fs.Uint64("seed", 1, "random seed for weights and batch")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *batch <= 0 || *batch > maxGraphBatch {
		return usagef("--batch %d: want a number of examples between 1 and %d", *batch, maxGraphBatch)
	}
	_, loss, err := models.RandomLoss[float32](*model, models.SeqOptions{Unrolled: true}, *batch, *seed) // the lecture's unrolled graph
	if err != nil {
		return usagef("--model: %v", err)
	}
	g := autograd.New[float32]()
	g.Retain = true // keep the tape through Backward so it can be drawn
	if l := loss(g); *grads {
		g.Backward(l)
	}
	title := fmt.Sprintf("descent graph --model %s --batch %d --seed %d", *model, *batch, *seed)
	return g.WriteDOT(w, autograd.DOTOptions{Title: title, Grads: *grads})
}
