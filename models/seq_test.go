package models_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// seqGolden is testdata/seq_golden.json, written by
// testdata/make_seq_golden.py from the PyTorch modules quoted on SeqNet
// and TextModel.
type seqGolden struct {
	Layouts []struct {
		Model, Kind           string
		Embed, Hidden, Layers int
		Layout                string
	}
	Forwards []struct {
		Model, Kind           string
		Embed, Hidden, Layers int
		Params                map[string]seqTensor
		X                     *seqTensor
		Y                     seqTensor
	}
}

type seqTensor struct {
	Shape []int
	Data  []float64
}

func loadSeqGolden(t *testing.T) *seqGolden {
	t.Helper()
	b, err := os.ReadFile("testdata/seq_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var gf seqGolden
	if err := json.Unmarshal(b, &gf); err != nil {
		t.Fatal(err)
	}
	if len(gf.Layouts) == 0 || len(gf.Forwards) == 0 {
		t.Fatal("empty testdata/seq_golden.json")
	}
	return &gf
}

func buildSeq[T tensor.Float](t *testing.T, model, kind string, embed, hidden, layers int) nn.Module[T] {
	t.Helper()
	rng := tensor.NewRand(1)
	o := models.SeqOptions{Hidden: hidden, Layers: layers}
	var m nn.Module[T]
	var err error
	if model == "text" {
		m, err = models.NewTextModel[T](rng, kind, embed, o)
	} else {
		m, err = models.NewSeqNet[T](rng, kind, o)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSeqLayoutsMatchPyTorch: the state dicts of SeqNet (rnn, lstm, gru;
// 1 and 2 layers) and TextModel have PyTorch's names, order and shapes.
func TestSeqLayoutsMatchPyTorch(t *testing.T) {
	for _, c := range loadSeqGolden(t).Layouts {
		t.Run(fmt.Sprintf("%s/%s/%d", c.Model, c.Kind, c.Layers), func(t *testing.T) {
			if got := layout(buildSeq[float32](t, c.Model, c.Kind, c.Embed, c.Hidden, c.Layers)); got != c.Layout {
				t.Fatalf("state dict\n%s\nPyTorch\n%s", got, c.Layout)
			}
		})
	}
}

// TestSeqForwardMatchesPyTorch loads PyTorch's weights by name (strict)
// and compares the logits in float64.
func TestSeqForwardMatchesPyTorch(t *testing.T) {
	for _, c := range loadSeqGolden(t).Forwards {
		t.Run(c.Model+"/"+c.Kind, func(t *testing.T) {
			m := buildSeq[float64](t, c.Model, c.Kind, c.Embed, c.Hidden, c.Layers)
			var sd []nn.NamedTensor[float64]
			for name, p := range c.Params {
				sd = append(sd, nn.NamedTensor[float64]{Name: name, Tensor: tensor.FromSlice(p.Data, p.Shape...)})
			}
			if err := nn.LoadStateDict(m, sd, true); err != nil {
				t.Fatal(err)
			}
			var x *tensor.Tensor[float64]
			if c.X != nil {
				x = tensor.FromSlice(c.X.Data, c.X.Shape...)
			} else { // the script's formula: (i·37 mod 101)/100
				x = tensor.New[float64](2, 784)
				for i := range x.Data() {
					x.Data()[i] = float64(i*37%101) / 100
				}
			}
			y := m.Forward(autograd.New[float64](), autograd.NewConstant(x))
			if !tensor.EqualShapes(y.Shape(), c.Y.Shape) {
				t.Fatalf("logits of shape %v, PyTorch %v", y.Shape(), c.Y.Shape)
			}
			for i, w := range c.Y.Data {
				if d := math.Abs(y.Value.Data()[i] - w); d > 1e-10*math.Max(1, math.Abs(w)) {
					t.Fatalf("logit %d = %.17g, PyTorch %.17g", i, y.Value.Data()[i], w)
				}
			}
		})
	}
}

func TestSeqErrors(t *testing.T) {
	rng := tensor.NewRand(1)
	for _, c := range []struct {
		kind string
		o    models.SeqOptions
		want string
	}{
		{"transformer", models.SeqOptions{}, `unknown recurrent kind "transformer"`},
		{"lstm", models.SeqOptions{Nonlinearity: "relu"}, "for the rnn model"},
		{"rnn", models.SeqOptions{Nonlinearity: "gelu"}, "want tanh or relu"},
		{"gru", models.SeqOptions{Hidden: -3}, "sizes must be positive"},
	} {
		_, err := models.NewSeqNet[float32](rng, c.kind, c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewSeqNet(%q, %+v) = %v, want an error containing %q", c.kind, c.o, err, c.want)
		}
	}
}

// TestBuildByName: every name of AllNames builds a model that takes
// InputShape and gives 10 logits; others are errors naming the choices.
func TestBuildByName(t *testing.T) {
	for _, name := range models.AllNames {
		m, err := models.Build[float32](name, tensor.NewRand(1), models.Options{}, models.SeqOptions{Hidden: 8})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		shape, err := models.InputShape(name)
		if err != nil {
			t.Fatal(err)
		}
		x := tensor.New[float32](append([]int{3}, shape...)...)
		if y := m.Forward(autograd.New[float32](), autograd.NewConstant(x)); !tensor.EqualShapes(y.Shape(), []int{3, 10}) {
			t.Errorf("%s: logits of shape %v", name, y.Shape())
		}
	}
	if _, err := models.Build[float32]("transformer", tensor.NewRand(1), models.Options{}, models.SeqOptions{}); err == nil ||
		!strings.Contains(err.Error(), "mlp, cnn, rnn, lstm, gru") {
		t.Errorf("unknown model: %v", err)
	}
}
