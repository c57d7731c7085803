package train

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// LanguageModel is a recurrent model over bytes that carries its state
// from one call to the next (models.TextModel): x holds byte values
// [N, T], h and c the state (nil for zeros; c only for an LSTM), and the
// result the logits of the next byte [N, T, 256] and the final state.
type LanguageModel interface {
	nn.Module[float32]
	ForwardState(g *autograd.Graph[float32], x, h, c *autograd.Var[float32]) (logits, hn, cn *autograd.Var[float32])
}

// LMOptions configure TrainLM.
type LMOptions struct {
	Epochs       int     // passes over the training stream
	Batch        int     // rows of the stream read side by side
	BPTT         int     // steps of truncated backpropagation through time
	ClipGradNorm float64 // clip the gradients' global L2 norm (0: off)
	Out          io.Writer
	// EpochEnd, if set, is called after each epoch with its results.
	EpochEnd func(e LMEpoch)
}

// LMEpoch is what one epoch of TrainLM measured, in bits per byte (the
// mean cross-entropy over log 2).
type LMEpoch struct {
	Epoch        int
	TrainBits    float64 // mean over the epoch's chunks
	TestBits     float64
	TestAccuracy float64 // the fraction of test bytes that are the most likely next byte
	Duration     time.Duration
	// Curve is each chunk's training loss (cross-entropy in nats per
	// byte) at its fractional epoch, for curves.png.
	Curve []StepLoss
}

// lmState holds the carried recurrent state, copied out of the graph so
// that it survives the graph's reset (truncated BPTT: the next chunk starts
// from these values with no gradient flowing back into them).
type lmState struct {
	h, c *autograd.Var[float32] // constants holding the values
	set  bool
}

func (s *lmState) vars() (h, c *autograd.Var[float32]) {
	if !s.set {
		return nil, nil
	}
	return s.h, s.c
}

func (s *lmState) keep(h, c *autograd.Var[float32]) {
	if s.h == nil {
		s.h = autograd.NewConstant(tensor.New[float32](h.Shape()...))
	}
	s.h.Value.CopyFrom(h.Value)
	if c != nil {
		if s.c == nil {
			s.c = autograd.NewConstant(tensor.New[float32](c.Shape()...))
		}
		s.c.Value.CopyFrom(c.Value)
	}
	s.set = true
}

// reset starts the next pass from the zero state.
func (s *lmState) reset() { s.set = false }

// chunkInput returns a constant [rows, n] over xs, reusing the Var and
// tensor of the previous call when n is the same (every chunk but the
// last), so that a warm step allocates nothing here.
type chunkInput struct {
	v  *autograd.Var[float32]
	xs []float32
}

func (ci *chunkInput) get(rows, n int) *autograd.Var[float32] {
	if ci.v == nil || ci.v.Shape()[1] != n {
		ci.v = autograd.NewConstant(tensor.FromSlice(ci.xs[:rows*n], rows, n))
	}
	return ci.v
}

// TrainLM trains a byte-level language model with truncated
// backpropagation through time, as PyTorch's word_language_model example
// does: the training stream is cut into o.Batch rows read side by side
// (data.ByteBatches), each step takes the next o.BPTT bytes of every row,
// starts from the state the previous chunk ended in (detached), and
// minimizes the mean cross-entropy of the next byte. After each epoch it
// measures the test stream's bits per byte (EvaluateLM).
func TrainLM(model LanguageModel, opt optim.Optimizer[float32], trainText, testText []byte, o LMOptions) ([]LMEpoch, error) {
	if o.BPTT < 1 {
		return nil, fmt.Errorf("train: bptt %d: want at least 1 step", o.BPTT)
	}
	if o.Epochs < 1 {
		return nil, fmt.Errorf("train: %d epochs: want at least 1", o.Epochs)
	}
	batches, err := data.NewByteBatches(trainText, o.Batch)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	params := model.Parameters()
	g := autograd.New[float32]()
	rows := batches.Rows
	xs, ys := make([]float32, rows*o.BPTT), make([]int, rows*o.BPTT)
	in := chunkInput{xs: xs}
	var hist []LMEpoch
	var state lmState
	for epoch := 1; epoch <= o.Epochs; epoch++ {
		start := time.Now()
		nn.SetTraining[float32](model, true)
		state.reset()
		total, chunks := 0.0, 0
		var curve []StepLoss
		for pos := 0; pos < batches.Positions(); {
			n := batches.Chunk(pos, o.BPTT, xs, ys)
			pos += n
			x := in.get(rows, n)
			h, c := state.vars()
			opt.ZeroGrad()
			logits, hn, cn := model.ForwardState(g, x, h, c)
			loss := g.CrossEntropy(g.Reshape(logits, rows*n, 256), ys[:rows*n])
			l := float64(loss.Value.Data()[0])
			if math.IsNaN(l) || math.IsInf(l, 0) {
				return hist, &DivergenceError{Epoch: epoch, Step: chunks + 1, LR: opt.Groups()[0].LR, What: "loss", Loss: l}
			}
			g.Backward(loss)
			// The final state is read after Backward, which needed the
			// initial state's values (the carried buffer); the graph's
			// values stay readable until the next op is recorded.
			state.keep(hn, cn)
			if o.ClipGradNorm > 0 {
				optim.ClipGradNorm(params, o.ClipGradNorm)
			}
			opt.Step()
			total += l
			chunks++
			curve = append(curve, StepLoss{Epoch: float64(epoch-1) + float64(pos)/float64(batches.Positions()), Loss: l})
		}
		g.Reset()
		testBits, testAcc, err := evaluateLM(model, testText, o.Batch, o.BPTT)
		if err != nil {
			return hist, err
		}
		e := LMEpoch{Epoch: epoch, TrainBits: total / float64(chunks) / math.Ln2, TestBits: testBits, TestAccuracy: testAcc, Duration: time.Since(start), Curve: curve}
		hist = append(hist, e)
		if o.Out != nil {
			fmt.Fprintf(o.Out, "epoch %d/%d  train bits/byte %.4f  test bits/byte %.4f  test accuracy %.4f  %.1fs\n", epoch, o.Epochs, e.TrainBits, e.TestBits, e.TestAccuracy, e.Duration.Seconds())
		}
		if o.EpochEnd != nil {
			o.EpochEnd(e)
		}
	}
	return hist, nil
}

// EvaluateLM returns the model's mean cross-entropy in bits per byte of
// predicting each byte of text from those before it, reading the text as
// at most batch rows side by side (data.ByteBatches; the first byte of a
// row and the tail that fills no row are not predicted) in chunks of bptt
// steps that carry the state, in evaluation mode and without recording.
func EvaluateLM(model LanguageModel, text []byte, batch, bptt int) (float64, error) {
	bits, _, err := evaluateLM(model, text, batch, bptt)
	return bits, err
}

// evaluateLM is EvaluateLM, with the accuracy of the most likely next
// byte.
func evaluateLM(model LanguageModel, text []byte, batch, bptt int) (bits, accuracy float64, err error) {
	batches, err := data.NewByteBatches(text, batch)
	if err != nil {
		return 0, 0, fmt.Errorf("train: %w", err)
	}
	nn.SetTraining[float32](model, false)
	defer nn.SetTraining[float32](model, true)
	g := autograd.New[float32]()
	rows := batches.Rows
	xs, ys, preds := make([]float32, rows*bptt), make([]int, rows*bptt), make([]int, rows*bptt)
	in := chunkInput{xs: xs}
	var state lmState
	total, count, correct := 0.0, 0, 0
	g.NoGrad(func() {
		for pos := 0; pos < batches.Positions(); {
			n := batches.Chunk(pos, bptt, xs, ys)
			pos += n
			x := in.get(rows, n)
			h, c := state.vars()
			logits, hn, cn := model.ForwardState(g, x, h, c)
			flat := g.Reshape(logits, rows*n, 256)
			loss := g.CrossEntropy(flat, ys[:rows*n])
			tensor.ArgMaxRows(flat.Value, preds[:rows*n])
			for i, p := range preds[:rows*n] {
				if p == ys[i] {
					correct++
				}
			}
			state.keep(hn, cn)
			total += float64(loss.Value.Data()[0]) * float64(rows*n)
			count += rows * n
			g.Reset()
		}
	})
	return total / float64(count) / math.Ln2, float64(correct) / float64(count), nil
}

// SampleLM generates length bytes from the model: it reads prime (a
// newline if empty), then repeatedly draws the next byte from the softmax
// of the last logits divided by temperature (lower: more likely bytes)
// and feeds it back, carrying the state. The draws come from rng.
func SampleLM(model LanguageModel, rng *rand.Rand, prime []byte, length int, temperature float64) ([]byte, error) {
	if !(temperature > 0) || math.IsInf(temperature, 0) {
		return nil, fmt.Errorf("train: temperature %v: want a positive number", temperature)
	}
	if len(prime) == 0 {
		prime = []byte("\n")
	}
	nn.SetTraining[float32](model, false)
	defer nn.SetTraining[float32](model, true)
	g := autograd.New[float32]()
	var state lmState
	out := make([]byte, 0, length)
	probs := make([]float64, 256)
	in := make([]float32, len(prime))
	for i, b := range prime {
		in[i] = float32(b)
	}
	g.NoGrad(func() {
		for len(out) < length {
			x := autograd.NewConstant(tensor.FromSlice(in, 1, len(in)))
			h, c := state.vars()
			logits, hn, cn := model.ForwardState(g, x, h, c)
			state.keep(hn, cn)
			last := logits.Value.Data()[(len(in)-1)*256:]
			peak := math.Inf(-1)
			for _, v := range last {
				peak = max(peak, float64(v)/temperature)
			}
			sum := 0.0
			for i, v := range last {
				probs[i] = math.Exp(float64(v)/temperature - peak)
				sum += probs[i]
			}
			u := rng.Float64() * sum
			next := 255
			for i, p := range probs {
				if u < p {
					next = i
					break
				}
				u -= p
			}
			out = append(out, byte(next))
			in = append(in[:0], float32(next))
			g.Reset()
		}
	})
	return out, nil
}
