package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// TestEvalPyTorchWeights loads an MLP (784-32-10) trained by PyTorch and
// saved as safetensors by bench/pytorch/mnist_mlp.py (see testdata/
// pytorch_mlp_32.json for the result PyTorch measured): descent must give
// PyTorch's test accuracy, image for image, and its loss.
//
//	../shared/tools/torch-python bench/pytorch/mnist_mlp.py --hidden 32 --epochs 1 --lr 0.05 --onecycle \
//	  --save cmd/descent/testdata/pytorch_mlp_32.safetensors --result cmd/descent/testdata/pytorch_mlp_32.json
func TestEvalPyTorchWeights(t *testing.T) {
	raw, err := os.ReadFile("testdata/pytorch_mlp_32.json")
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		TestCorrect int     `json:"test_correct"`
		TestLoss    float64 `json:"test_loss"`
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	if err := runEval(&out, fs, []string{"--model", "mlp", "--hidden", "32", "--weights", "testdata/pytorch_mlp_32.safetensors"}); err != nil {
		t.Fatal(err)
	}
	wantLine := fmt.Sprintf("test accuracy: %.4f", float64(want.TestCorrect)/10000)
	if !strings.Contains(out.String(), wantLine+"\n") {
		t.Fatalf("output %q lacks %q", out.String(), wantLine)
	}
	var loss float64
	if _, err := fmt.Sscanf(out.String(), "test loss: %f", &loss); err != nil {
		t.Fatalf("no loss line in %q", out.String())
	}
	if math.Abs(loss-want.TestLoss) > 1e-4 {
		t.Fatalf("test loss %v, PyTorch %v", loss, want.TestLoss)
	}
}
