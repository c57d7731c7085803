package train_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// TestTrainLMLearnsAPattern: a small LSTM language model trained with
// truncated BPTT on a repeating 5-byte pattern goes from about 8 bits per
// byte (uniform over 256 bytes) to well under one bit on the held-out
// stream, and then samples the pattern.
func TestTrainLMLearnsAPattern(t *testing.T) {
	text := []byte(strings.Repeat("hello", 400))
	cut := len(text) * 9 / 10
	model, err := models.NewTextModel[float32](tensor.NewRand(1), "lstm", 8, models.SeqOptions{Hidden: 16})
	if err != nil {
		t.Fatal(err)
	}
	before, err := train.EvaluateLM(model, text[cut:], 4, 16)
	if err != nil {
		t.Fatal(err)
	}
	cfg := optim.AdamDefaults()
	cfg.LR = 0.02
	opt, err := optim.NewAdam(model.Parameters(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := train.TrainLM(model, opt, text[:cut], text[cut:], train.LMOptions{Epochs: 15, Batch: 8, BPTT: 16, ClipGradNorm: 5})
	if err != nil {
		t.Fatal(err)
	}
	after := hist[len(hist)-1].TestBits
	if !(before > 6) || !(after < 0.5) {
		t.Fatalf("test bits per byte %.3f before training, %.3f after; want > 6 and < 0.5", before, after)
	}
	out, err := train.SampleLM(model, tensor.NewRand(2), []byte("hel"), 20, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix([]byte("lohellohellohellohello"), out[:10]) {
		t.Errorf("sample after %q: %q, want the pattern", "hel", out)
	}
	if _, err := train.SampleLM(model, tensor.NewRand(2), nil, 5, math.NaN()); err == nil {
		t.Error("temperature NaN accepted")
	}
}

// TestTrainLMCarriesTheStateExactly: two chunks of TrainLM equal a
// hand-written truncated BPTT (forward from zeros, backward, SGD step;
// then forward from a fresh copy of the final state, backward, step) bit
// for bit: the second chunk starts from the first one's final state, and
// no gradient flows back into it. (It fails when the state is not
// carried.)
func TestTrainLMCarriesTheStateExactly(t *testing.T) {
	stream := []byte("the cat sat on a mat") // 2 rows of 10: 9 positions, chunks of 5 and 4
	build := func() *models.TextModel[float32] {
		m, err := models.NewTextModel[float32](tensor.NewRand(3), "lstm", 4, models.SeqOptions{Hidden: 5})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	sgd := func(m *models.TextModel[float32]) optim.Optimizer[float32] {
		cfg := optim.SGDDefaults()
		cfg.LR = 0.5
		o, err := optim.NewSGD(m.Parameters(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	a := build()
	if _, err := train.TrainLM(a, sgd(a), stream, stream, train.LMOptions{Epochs: 1, Batch: 2, BPTT: 5}); err != nil {
		t.Fatal(err)
	}
	b := build()
	opt := sgd(b)
	g := autograd.New[float32]()
	var h, c *autograd.Var[float32]
	for _, ch := range []struct{ start, n int }{{0, 5}, {5, 4}} {
		xs, ys := make([]float32, 0, 2*ch.n), make([]int, 0, 2*ch.n)
		for r := 0; r < 2; r++ {
			row := stream[r*10 : r*10+10]
			for i := ch.start; i < ch.start+ch.n; i++ {
				xs, ys = append(xs, float32(row[i])), append(ys, int(row[i+1]))
			}
		}
		opt.ZeroGrad()
		logits, hn, cn := b.ForwardState(g, autograd.NewConstant(tensor.FromSlice(xs, 2, ch.n)), h, c)
		g.Backward(g.CrossEntropy(g.Reshape(logits, 2*ch.n, 256), ys))
		h, c = autograd.NewConstant(hn.Value.Clone()), autograd.NewConstant(cn.Value.Clone())
		opt.Step()
	}
	for i, p := range a.Parameters() {
		q := b.Parameters()[i]
		for j, v := range p.Value.Data() {
			if v != q.Value.Data()[j] {
				t.Fatalf("%s[%d]: TrainLM %v, by hand %v", p.Name, j, v, q.Value.Data()[j])
			}
		}
	}
}
