package initializer_test

import (
	"fmt"

	"github.com/descent-ml/descent/nn/initializer"
)

// A list of schemes, as descent lab variance --init takes it: each NAME
// or NAME(k=v,...), the common settings applied to all.
func ExampleParseList() {
	list, err := initializer.ParseList("torch_default,kaiming_normal(nonlinearity=relu),xavier_uniform", "")
	if err != nil {
		panic(err)
	}
	for _, n := range list {
		fmt.Println(n.Label)
	}
	_, err = initializer.ParseList("xavier_uniform(gain=2", "")
	fmt.Println(err)
	// Output:
	// torch_default
	// kaiming_normal(nonlinearity=relu)
	// xavier_uniform
	// initializer: malformed init "xavier_uniform(gain=2": want NAME or NAME(k=v,...)
}
