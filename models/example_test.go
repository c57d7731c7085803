package models_test

import (
	"fmt"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// The CNN's parameters carry PyTorch's state-dict names, so weights move
// between the two by name.
func ExampleNew() {
	m, err := models.New[float32]("cnn", tensor.NewRand(1), models.Options{Activation: "gelu"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range nn.StateDict(m) {
		fmt.Println(e.Name, e.Tensor.Shape())
	}
	_, err = models.New[float32]("resnet", tensor.NewRand(1), models.Options{})
	fmt.Println(err)
	// Output:
	// 0.weight [32 1 3 3]
	// 0.bias [32]
	// 3.weight [64 32 3 3]
	// 3.bias [64]
	// 7.weight [128 1600]
	// 7.bias [128]
	// 9.weight [10 128]
	// 9.bias [10]
	// models: unknown model "resnet"; valid: mlp, cnn
}

// A smaller MLP than the default 784-512-256-10, with tanh.
func ExampleMLP() {
	m, _ := models.MLP[float64](tensor.NewRand(1), 4, []int{8}, 3, models.Options{Activation: "tanh"})
	for _, l := range m.Layers {
		fmt.Printf("%T\n", l)
	}
	// Output:
	// *nn.Linear[float64]
	// nn.Tanh[float64]
	// *nn.Linear[float64]
}

// CheckMLPSize refuses, before anything is allocated, an MLP too large to
// train: a mistyped width of 10^9 is an error, not an out-of-memory kill.
func ExampleCheckMLPSize() {
	fmt.Println(models.CheckMLPSize(784, []int{512, 256}, 10))
	fmt.Println(models.CheckMLPSize(784, []int{1_000_000_000}, 10))
	// Output:
	// <nil>
	// models: mlp: over 268435456 parameters, more than the limit of 268435456
}

// A model from its typed configuration, as a run records it: the
// defaults with other widths.
func ExampleFromConfig() {
	c := models.Defaults()
	c.Hidden = []int{64}
	m, err := models.FromConfig[float32](c, tensor.NewRand(1), 784, 10, models.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	n := 0
	for _, p := range m.Parameters() {
		n += p.Value.Len()
	}
	fmt.Println(n, "parameters")
	c.Hidden = []int{0}
	_, err = models.FromConfig[float32](c, tensor.NewRand(1), 784, 10, models.Options{})
	fmt.Println(err)
	// Output:
	// 50890 parameters
	// models: mlp: want positive hidden widths, got [0]
}

// One training step of the MLP on a random batch of four: the loss of an
// untrained ten-class classifier is near ln 10 = 2.30; the tape holds
// three linear layers, two ReLUs and the loss.
func ExampleRandomLoss() {
	_, loss, _ := models.RandomLoss[float64]("mlp", models.SeqOptions{}, 4, 1)
	g := autograd.New[float64]()
	fmt.Printf("loss %.1f, %d ops on the tape\n", loss(g).Value.Data()[0], len(g.Nodes()))
	// Output: loss 2.3, 6 ops on the tape
}

// A language model's state dict carries its kind and sizes: a GRU of two
// layers of 32 over embeddings of 16 comes back as one.
func ExampleTextModelFrom() {
	m, _ := models.NewTextModel[float32](tensor.NewRand(1), "gru", 16, models.SeqOptions{Hidden: 32, Layers: 2})
	back, err := models.TextModelFrom(nn.StateDict[float32](m), "tanh")
	fmt.Println(len(back.Parameters()) == len(m.Parameters()), back.Embed.Weight.Shape(), err)
	_, err = models.TextModelFrom(nil, "tanh")
	fmt.Println(err)
	// Output:
	// true [256 16] <nil>
	// models: not a byte-level language model: no embed.weight
}
