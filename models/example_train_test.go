package models_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// Training the default MLP on MNIST with the library alone: a model, an
// optimizer, the tape, and the loop of the lecture (forward, loss,
// backward, step). README.md quotes this example.
func Example_training() {
	rng := tensor.NewRand(1)
	model, _ := models.MLP[float32](rng, 784, []int{512, 256}, 10, models.Options{})
	opt, _ := optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.05, Momentum: 0.9})
	trainSet, _, _ := data.LoadMNIST()
	loader, _ := data.NewLoader[float32](trainSet, data.LoaderOptions{BatchSize: 128, Flat: true}, tensor.NewRand(1))

	g := autograd.New[float32]() // the tape: ops record as they run
	var first, last float32
	for step, batch := range loader.Epoch(0) {
		if step == 50 {
			break
		}
		x := autograd.NewConstant(batch.X) // [128, 784]
		opt.ZeroGrad()
		loss := g.CrossEntropy(model.Forward(g, x), batch.Labels)
		if step == 0 {
			first = loss.Value.Data()[0]
		}
		last = loss.Value.Data()[0]
		g.Backward(loss) // reverse topological order; gradients for weights and inputs
		opt.Step()
	}
	fmt.Printf("loss at the first step: %.1f\n", first)
	fmt.Println("under half of it after 50 steps:", last < first/2)
	// Output:
	// loss at the first step: 2.3
	// under half of it after 50 steps: true
}

// TestReadmeQuotesExample keeps README.md's library snippet the body of
// Example_training, so the README shows code that compiles and runs.
func TestReadmeQuotesExample(t *testing.T) {
	src, err := os.ReadFile("example_train_test.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(src), "func Example_training() {\n")
	body, _, ok2 := strings.Cut(body, "\t// Output:")
	if !ok || !ok2 {
		t.Fatal("example_train_test.go: Example_training or its // Output: not found")
	}
	var quote strings.Builder
	for _, line := range strings.SplitAfter(body, "\n") {
		quote.WriteString(strings.TrimPrefix(line, "\t"))
	}
	if !strings.Contains(string(readme), "```go\n"+quote.String()+"```\n") {
		t.Errorf("README.md does not quote Example_training; paste its body (one tab less) into the \"The library\" section:\n%s", quote.String())
	}
}
