package bench

import (
	"fmt"
	"time"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// gemmGFLOPS times C = A·B for n×n float32 matrices.
func gemmGFLOPS(c Config, n int) float64 {
	if c.Toy {
		n = 32
	}
	rng := tensor.NewRand(1)
	a, b := tensor.New[float32](n, n), tensor.New[float32](n, n)
	a.RandN(rng, 0, 1)
	b.RandN(rng, 0, 1)
	out := make([]float32, n*n)
	mm := func() { kernel.Gemm(false, false, n, n, n, 1, a.Data(), n, b.Data(), n, 0, out, n) }
	mm()
	inner := max(1, int(2e9/(2*float64(n)*float64(n)*float64(n))))
	if c.Toy {
		inner = 1
	}
	t := medianTime(c.repeats(), inner, mm)
	return 2 * float64(n) * float64(n) * float64(n) / t.Seconds() / 1e9
}

// Trainer is one training step of a model on a fixed synthetic batch, the
// sequence train.Trainer runs: forward, cross-entropy, zero the gradients,
// backward, optimizer step.
type Trainer struct {
	Model     nn.Module[float32]
	Optimizer optim.Optimizer[float32]
	Graph     *autograd.Graph[float32]
	X         *autograd.Var[float32]
	Labels    []int
	preds     []int
	// Loss is the loss of the last step.
	Loss float32
}

// NewTrainer builds model ("mlp", "cnn" or "lstm", models.SeqNet with
// an LSTM of 128 units), optimizer ("sgd": SGD with
// momentum 0.9 and lr 0.01, as bench/pytorch/bench.py; "adam": PyTorch's
// defaults) and a batch of random inputs and labels. toy shrinks the MLP's
// hidden layer to 16 units and the LSTM to 8.
func NewTrainer(model, optimizer string, batch int, toy bool) (*Trainer, error) {
	rng := tensor.NewRand(1)
	var m nn.Module[float32]
	var err error
	switch {
	case model == "mlp" && toy:
		m, err = models.MLP[float32](rng, 28*28, []int{16}, 10, models.Options{})
	case model == "lstm":
		hidden := 128
		if toy {
			hidden = 8
		}
		m, err = models.NewSeqNet[float32](rng, "lstm", models.SeqOptions{Hidden: hidden})
	default:
		m, err = models.New[float32](model, rng, models.Options{})
	}
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	var opt optim.Optimizer[float32]
	switch optimizer {
	case "sgd":
		opt, err = optim.NewSGD(m.Parameters(), optim.SGDConfig{LR: 0.01, Momentum: 0.9})
	case "adam":
		opt, err = optim.NewAdam(m.Parameters(), optim.AdamDefaults())
	default:
		err = fmt.Errorf("unknown optimizer %q; valid: sgd, adam", optimizer)
	}
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	shape := []int{28 * 28} // the LSTM reads the image as 28 rows of 28
	if model != "lstm" {
		shape, _ = models.InputShape(model)
	}
	x := tensor.New[float32](append([]int{batch}, shape...)...)
	x.RandN(rng, 0, 1)
	labels := make([]int, batch)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	return &Trainer{Model: m, Optimizer: opt, Graph: autograd.New[float32](), X: autograd.NewConstant(x),
		Labels: labels, preds: make([]int, batch)}, nil
}

// Step runs one training step.
func (t *Trainer) Step() {
	g := t.Graph
	logits := t.Model.Forward(g, t.X)
	loss := g.CrossEntropy(logits, t.Labels)
	t.Loss = loss.Value.Item()
	tensor.ArgMaxRows(logits.Value, t.preds) // the accuracy count train.Trainer keeps
	t.Optimizer.ZeroGrad()
	g.Backward(loss)
	t.Optimizer.Step()
}

// trainRate measures training samples per second.
func trainRate(c Config, model, optimizer string) float64 {
	batch, steps := 128, 50
	switch model {
	case "cnn":
		batch, steps = 64, 10
	case "lstm":
		steps = 10
	}
	warm := 10
	if c.Toy {
		batch, steps, warm = 2, 1, 1
	}
	t, err := NewTrainer(model, optimizer, batch, c.Toy)
	if err != nil {
		panic(err) // the names are this package's own
	}
	for range warm {
		t.Step()
	}
	return float64(batch) / medianTime(c.repeats(), steps, t.Step).Seconds()
}

// adamStepMS times one Adam step on AdamParams float32 parameters.
func adamStepMS(c Config) float64 {
	n := AdamParams
	if c.Toy {
		n = 1000
	}
	rng := tensor.NewRand(1)
	p := tensor.New[float32](n)
	p.RandN(rng, 0, 1)
	v := autograd.NewParam(p, "p")
	v.Grad.RandN(rng, 0, 1)
	opt, err := optim.NewAdam([]*autograd.Var[float32]{v}, optim.AdamDefaults())
	if err != nil {
		panic(err)
	}
	opt.Step() // creates the state, as PyTorch's first step does
	inner := 5
	if c.Toy {
		inner = 1
	}
	return float64(medianTime(c.repeats(), inner, opt.Step)) / float64(time.Millisecond)
}

// chainBackwardUS measures the backward time per op of a chain of depth
// tanh ops on 64 floats: only Backward is timed (the forward pass that
// records the tape runs outside the clock), divided by the number of ops
// on the tape. A tape's backward pass is linear in its length, so the
// value should not grow with depth.
func chainBackwardUS(c Config, depth int) float64 {
	rng := tensor.NewRand(1)
	x0 := tensor.New[float32](64)
	x0.RandN(rng, 0, 1)
	x := autograd.NewParam(x0, "x")
	g := autograd.New[float32]()
	forward := func() *autograd.Var[float32] {
		y := x
		for range depth {
			y = g.Tanh(y)
		}
		return g.Sum(y)
	}
	g.Backward(forward()) // warm the graph's buffers
	inner := max(1, 2000/depth)
	if c.Toy {
		inner = 1
	}
	ts := make([]time.Duration, c.repeats())
	for r := range ts {
		var total time.Duration
		for range inner {
			loss := forward()
			start := time.Now()
			g.Backward(loss)
			total += time.Since(start)
		}
		ts[r] = total / time.Duration(inner)
	}
	return float64(median(ts)) / float64(depth+1) / float64(time.Microsecond)
}
