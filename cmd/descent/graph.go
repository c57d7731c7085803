package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

func init() {
	register(&command{
		name:    "graph",
		summary: "print the computational graph of one training step as Graphviz DOT",
		usage: "[--model mlp|cnn] [--grads] [--batch N] [--seed N]\n\n" +
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
	g, loss, err := trainingStep[float32](*model, *batch, *seed)
	if err != nil {
		return err
	}
	g.Retain = true // keep the tape through Backward so it can be drawn
	if *grads {
		g.Backward(loss)
	}
	title := fmt.Sprintf("descent graph --model %s --batch %d --seed %d", *model, *batch, *seed)
	return g.WriteDOT(w, autograd.DOTOptions{Title: title, Grads: *grads})
}

// trainingStep builds the model called name from seed and records its
// forward pass and cross-entropy loss on a random batch (inputs N(0, 1),
// random class labels) drawn from the same seed.
func trainingStep[T tensor.Float](name string, batch int, seed uint64) (*autograd.Graph[T], *autograd.Var[T], error) {
	shape, err := models.InputShape(name)
	if err != nil {
		return nil, nil, usagef("--model: %v", err)
	}
	rng := tensor.NewRand(seed)
	m, err := models.Build[T](name, rng, models.Options{}, models.SeqOptions{Unrolled: true}) // the lecture's unrolled graph
	if err != nil {
		return nil, nil, err
	}
	x, targets := randomBatch[T](rng, batch, shape)
	g := autograd.New[T]()
	return g, nn.CrossEntropyLoss(g, m.Forward(g, autograd.NewConstant(x)), targets), nil
}

// randomBatch returns batch inputs of the given shape drawn from N(0, 1)
// and labels drawn uniformly from the ten classes.
func randomBatch[T tensor.Float](rng *rand.Rand, batch int, shape []int) (*tensor.Tensor[T], []int) {
	x := tensor.New[T](append([]int{batch}, shape...)...)
	for i := range x.Data() {
		x.Data()[i] = T(rng.NormFloat64())
	}
	targets := make([]int, batch)
	for i := range targets {
		targets[i] = rng.IntN(10)
	}
	return x, targets
}
