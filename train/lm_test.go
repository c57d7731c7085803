package train_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

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
