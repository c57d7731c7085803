package main

import (
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/safetensors"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// recurrentFixtures writes the recurrent models' bad-input files: code.txt
// (a text to learn), empty.txt, tiny.txt (3 bytes), lstm16.safetensors (the
// LSTM SeqNet, hidden 16), lstm-mixed.safetensors (the same with an
// fc.weight of hidden 32, so the sizes it implies do not fit the rnn.*
// tensors), text16.safetensors (a TextModel, LSTM hidden 16) and
// text-mixed.safetensors (that with fc.weight [256 32]).
func recurrentFixtures(t *testing.T, p func(string) string, write func(name, content string)) {
	t.Helper()
	write("code.txt", strings.Repeat("func main() { fmt.Println(\"hello\") }\n", 20))
	write("empty.txt", "")
	write("tiny.txt", "abc")
	seq, err := models.NewSeqNet[float32](tensor.NewRand(1), "lstm", models.SeqOptions{Hidden: 16})
	if err != nil {
		t.Fatal(err)
	}
	if err := train.SaveWeights(p("lstm16.safetensors"), seq); err != nil {
		t.Fatal(err)
	}
	text, err := models.NewTextModel[float32](tensor.NewRand(1), "lstm", 8, models.SeqOptions{Hidden: 16})
	if err != nil {
		t.Fatal(err)
	}
	if err := train.SaveWeights(p("text16.safetensors"), text); err != nil {
		t.Fatal(err)
	}
	mixed := func(name string, params []*autograd.Var[float32], fcShape []int) {
		var ts []safetensors.Tensor
		for _, v := range params {
			value := v.Value
			if v.Name == "fc.weight" {
				value = tensor.New[float32](fcShape...)
			}
			ts = append(ts, safetensors.Encode(v.Name, value))
		}
		if err := safetensors.WriteFile(p(name), ts, nil); err != nil {
			t.Fatal(err)
		}
	}
	mixed("lstm-mixed.safetensors", seq.Parameters(), []int{10, 32})
	mixed("text-mixed.safetensors", text.Parameters(), []int{256, 32})
}
