package initializer_test

import (
	"fmt"

	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/tensor"
)

// He initialization for a ReLU layer of 784 inputs: std = sqrt(2/784).
func ExampleKaimingNormal() {
	w := tensor.New[float32](256, 784)
	he := initializer.KaimingNormal{Nonlinearity: "relu"}
	if err := initializer.Apply(he, w, tensor.NewRand(1)); err != nil {
		fmt.Println(err)
	}
	law, _ := initializer.LawOf(he, w.Shape())
	fmt.Printf("%v: std %.4f\n", he, law.Std)
	// Output: kaiming_normal(a=0,mode=fan_in,nonlinearity=relu): std 0.0505
}

// PyTorch's default for Linear and Conv2d weights is U(±1/sqrt(fan_in)):
// variance 1/(3·fan_in), a third of what keeps the signal's variance.
func ExampleTorchDefault() {
	law, _ := initializer.LawOf(initializer.TorchDefault{}, []int{100, 100})
	fmt.Printf("bound %.2f, fan_in·variance %.4f\n", law.Hi, 100*law.Std*law.Std)
	// Output: bound 0.10, fan_in·variance 0.3333
}

// Fans of a conv kernel [out, in, kh, kw] count the receptive field.
func ExampleFans() {
	in, out, _ := initializer.Fans([]int{16, 8, 3, 3})
	fmt.Println(in, out)
	// Output: 72 144
}

func ExampleCalculateGain() {
	for _, nl := range []string{"linear", "tanh", "relu", "selu"} {
		g, _ := initializer.CalculateGain(nl, 0)
		fmt.Printf("%s %.4f\n", nl, g)
	}
	g, _ := initializer.CalculateGain("leaky_relu", initializer.DefaultLeakySlope)
	fmt.Printf("leaky_relu %.4f\n", g)
	// Output:
	// linear 1.0000
	// tanh 1.6667
	// relu 1.4142
	// selu 0.7500
	// leaky_relu 1.4141
}

// New builds a scheme by torch.nn.init's name and keyword arguments, as
// the CLI's --init and --init-set do.
func ExampleNew() {
	he, err := initializer.New("kaiming_normal", "mode=fan_out,nonlinearity=relu")
	fmt.Println(he, err)
	_, err = initializer.New("xavier_uniform", "std=2")
	fmt.Println(err)
	// Output:
	// kaiming_normal(a=0,mode=fan_out,nonlinearity=relu) <nil>
	// initializer: init scheme xavier_uniform has no setting "std"; valid keys: gain (default 1)
}
