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
	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/tensor"
)

// layout renders a model's state dict as "name[shape] name[shape] ...".
func layout(m nn.Module[float32]) string {
	var parts []string
	for _, e := range nn.StateDict(m) {
		parts = append(parts, fmt.Sprintf("%s%v", e.Name, e.Shape()))
	}
	return strings.Join(parts, " ")
}

func TestLayouts(t *testing.T) {
	cases := []struct {
		name  string
		build func() (*nn.Sequential[float32], error)
		input []int
		want  string // PyTorch's state_dict keys and shapes
	}{
		{"mlp", func() (*nn.Sequential[float32], error) {
			return models.New[float32]("mlp", tensor.NewRand(1), models.Options{})
		}, []int{3, 784},
			"0.weight[512 784] 0.bias[512] 2.weight[256 512] 2.bias[256] 4.weight[10 256] 4.bias[10]"},
		{"cnn", func() (*nn.Sequential[float32], error) {
			return models.New[float32]("cnn", tensor.NewRand(1), models.Options{})
		}, []int{3, 1, 28, 28},
			"0.weight[32 1 3 3] 0.bias[32] 3.weight[64 32 3 3] 3.bias[64] 7.weight[128 1600] 7.bias[128] 9.weight[10 128] 9.bias[10]"},
		{"mlp/linear activation keeps numbering", func() (*nn.Sequential[float32], error) {
			return models.MLP[float32](tensor.NewRand(1), 5, []int{4, 3}, 2, models.Options{Activation: "linear"})
		}, []int{3, 5},
			"0.weight[4 5] 0.bias[4] 2.weight[3 4] 2.bias[3] 4.weight[2 3] 4.bias[2]"},
		{"mlp/no hidden layer", func() (*nn.Sequential[float32], error) {
			return models.MLP[float32](tensor.NewRand(1), 5, nil, 2, models.Options{Activation: "gelu"})
		}, []int{3, 5}, "0.weight[2 5] 0.bias[2]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := c.build()
			if err != nil {
				t.Fatal(err)
			}
			if got := layout(m); got != c.want {
				t.Fatalf("layout\n%s\nwant\n%s", got, c.want)
			}
			x := tensor.New[float32](c.input...)
			x.RandN(tensor.NewRand(2), 0, 1)
			g := autograd.New[float32]()
			y := m.Forward(g, autograd.NewConstant(x))
			classes := m.Parameters()[len(m.Parameters())-1].Value.Dim(0)
			if !tensor.EqualShapes(y.Shape(), []int{3, classes}) {
				t.Fatalf("output shape %v, want [3 %d]", y.Shape(), classes)
			}
		})
	}
}

func TestInputShape(t *testing.T) {
	for _, name := range models.Names {
		shape, err := models.InputShape(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := models.New[float32](name, tensor.NewRand(1), models.Options{})
		if err != nil {
			t.Fatal(err)
		}
		x := tensor.New[float32](append([]int{2}, shape...)...)
		y := m.Forward(autograd.New[float32](), autograd.NewConstant(x))
		if !tensor.EqualShapes(y.Shape(), []int{2, 10}) {
			t.Fatalf("%s: input %v gives %v, want [2 10]", name, x.Shape(), y.Shape())
		}
	}
}

func TestErrorsNameTheChoices(t *testing.T) {
	rng := tensor.NewRand(1)
	cases := []struct {
		name string
		err  func() error
		want []string
	}{
		{"unknown model", func() error { _, err := models.New[float32]("resnet", rng, models.Options{}); return err },
			[]string{`"resnet"`, "mlp", "cnn"}},
		{"unknown input shape", func() error { _, err := models.InputShape("resnet"); return err },
			[]string{`"resnet"`, "mlp, cnn"}},
		{"unknown activation", func() error {
			_, err := models.New[float32]("cnn", rng, models.Options{Activation: "swish"})
			return err
		}, []string{`"swish"`, "relu", "gelu"}},
		{"bad size", func() error {
			_, err := models.MLP[float32](rng, 4, []int{0}, 2, models.Options{})
			return err
		}, []string{"[4 0 2]", "positive"}},
	}
	for _, c := range cases {
		err := c.err()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %s", c.name, err, w)
			}
		}
	}
}

// TestInitializers checks that the options' initializers reach every layer
// and that the default is deterministic in the seed.
func TestInitializers(t *testing.T) {
	for _, name := range models.Names {
		m, err := models.New[float32](name, tensor.NewRand(1), models.Options{
			WeightInit: initializer.Constant{Val: 0.5}, BiasInit: initializer.Zeros{}})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m.Parameters() {
			want := float32(0.5)
			if strings.HasSuffix(p.Name, "bias") {
				want = 0
			}
			for _, v := range p.Value.Data() {
				if v != want {
					t.Fatalf("%s %s holds %v, want %v", name, p.Name, v, want)
				}
			}
		}
		a, _ := models.New[float32](name, tensor.NewRand(7), models.Options{})
		b, _ := models.New[float32](name, tensor.NewRand(7), models.Options{})
		sb := nn.StateDict(b)
		for i, e := range nn.StateDict(a) {
			for k, v := range e.Tensor.Data() {
				if v != sb[i].Tensor.Data()[k] {
					t.Fatalf("%s: the same seed gave different %s", name, e.Name)
				}
			}
		}
	}
}

// TestMLPMatchesPyTorch loads PyTorch's weights for a 6-5-4-3 MLP (written
// by nn/testdata/make_golden.py) into models.MLP and compares the loss and
// every gradient.
func TestMLPMatchesPyTorch(t *testing.T) {
	type gt struct {
		Shape []int
		Data  []float64
	}
	var golden struct {
		MLPs []struct {
			Name, Activation string
			In, Classes      int
			Hidden           []int
			X                gt
			Targets          []int
			Params, Grads    map[string]gt
			Loss             float64
		}
	}
	b, err := os.ReadFile("../nn/testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	if len(golden.MLPs) == 0 {
		t.Fatal("no MLP cases")
	}
	for _, c := range golden.MLPs {
		m, err := models.MLP[float64](tensor.NewRand(1), c.In, c.Hidden, c.Classes, models.Options{Activation: c.Activation})
		if err != nil {
			t.Fatal(err)
		}
		var sd []nn.NamedTensor[float64]
		for name, p := range c.Params {
			sd = append(sd, nn.NamedTensor[float64]{Name: name, Tensor: tensor.FromSlice(p.Data, p.Shape...)})
		}
		if err := nn.LoadStateDict[float64](m, sd, true); err != nil {
			t.Fatal(err)
		}
		g := autograd.New[float64]()
		loss := nn.CrossEntropyLoss(g, m.Forward(g, autograd.NewConstant(tensor.FromSlice(c.X.Data, c.X.Shape...))), c.Targets)
		if d := math.Abs(loss.Value.Item() - c.Loss); d > 1e-12 {
			t.Fatalf("%s: loss %.17g, PyTorch %.17g", c.Name, loss.Value.Item(), c.Loss)
		}
		g.Backward(loss)
		for _, p := range m.Parameters() {
			for i, w := range c.Grads[p.Name].Data {
				if d := math.Abs(p.Grad.Data()[i] - w); d > 1e-10 {
					t.Fatalf("%s: d%s[%d] = %.17g, PyTorch %.17g", c.Name, p.Name, i, p.Grad.Data()[i], w)
				}
			}
		}
	}
}

// TestWarmStepAllocatesNothing: a training step of either model, once its
// graph is warm, must not touch the heap.
func TestWarmStepAllocatesNothing(t *testing.T) {
	for _, name := range models.Names {
		t.Run(name, func(t *testing.T) {
			m, err := models.New[float32](name, tensor.NewRand(1), models.Options{})
			if err != nil {
				t.Fatal(err)
			}
			shape, _ := models.InputShape(name)
			x := tensor.New[float32](append([]int{2}, shape...)...)
			x.RandN(tensor.NewRand(2), 0, 1)
			in, targets := autograd.NewConstant(x), []int{3, 7}
			g := autograd.New[float32]()
			step := func() { g.Backward(nn.CrossEntropyLoss(g, m.Forward(g, in), targets)) }
			step()
			step()
			if n := testing.AllocsPerRun(3, step); n != 0 {
				t.Fatalf("a warm step allocated %v times", n)
			}
		})
	}
}
