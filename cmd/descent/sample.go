package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

func init() {
	register(&command{
		name:    "sample",
		summary: "generate text from a byte-level language model (descent train --text)",
		usage: "--weights FILE [--length 500] [--temperature 0.8] [--prime TEXT] [--seed S] [--act tanh|relu]\n\n" +
			"The kind (rnn, lstm or gru) and the sizes come from the file (embed.*, rnn.*, fc.*, as PyTorch's\n" +
			"TextModel); --act is the rnn's nonlinearity, which the file does not record.",
		examples: []string{"descent sample --weights runs/text/model.safetensors --prime func --temperature 0.5"},
		run:      func(fs *flag.FlagSet, args []string) error { return runSample(os.Stdout, fs, args) },
	})
}

func runSample(w io.Writer, fs *flag.FlagSet, args []string) error {
	weights := fs.String("weights", "", "safetensors file written by descent train --text (required)")
	length := fs.Int("length", 500, "bytes to generate")
	temperature := fs.Float64("temperature", 0.8, "divide the logits by this before sampling: lower is more conservative")
	prime := fs.String("prime", "", "text to read before generating (default: a newline)")
	seed := fs.Uint64("seed", 1, "random seed of the draws")
	act := fs.String("act", "tanh", "nonlinearity of an rnn model: tanh or relu")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *weights == "" {
		return usagef("--weights FILE.safetensors is required")
	}
	if *length < 0 || *length > 1<<24 {
		return usagef("--length %d: want 0 to %d bytes", *length, 1<<24)
	}
	if !(*temperature > 0) || *temperature > 1e6 {
		return usagef("--temperature %v: want a positive number", *temperature)
	}
	sd, err := train.LoadWeights(*weights)
	if err != nil {
		return &usageError{err.Error()}
	}
	if err := checkFiniteWeights(*weights, sd); err != nil {
		return err
	}
	kind, embed, o, err := textModelShape(sd)
	if err != nil {
		return usagef("%s: not a byte-level language model: %v", *weights, err)
	}
	if kind == "rnn" {
		if *act != "tanh" && *act != "relu" {
			return usagef("unknown --act %q; valid: tanh, relu", *act)
		}
		o.Nonlinearity = *act
	}
	model, err := models.NewTextModel[float32](tensor.NewRand(1), kind, embed, o)
	if err != nil {
		return usagef("%s: %v", *weights, err)
	}
	if err := nn.LoadStateDict[float32](model, sd, true); err != nil {
		return usagef("%s does not fit a %s language model: %v", *weights, kind, err)
	}
	out, err := train.SampleLM(model, tensor.NewRand(*seed), []byte(*prime), *length, *temperature)
	if err != nil {
		return &usageError{err.Error()}
	}
	_, err = w.Write(append([]byte(*prime), out...))
	return err
}

// textModelShape reads a TextModel's kind and sizes from its state dict:
// the embedding width from embed.weight [256, E], the hidden size and the
// kind from rnn.weight_hh_l0 [gates*H, H] (4 gates: lstm, 3: gru, 1: rnn),
// the layers from the rnn.weight_ih_l{k} present.
func textModelShape(sd []nn.NamedTensor[float32]) (kind string, embed int, o models.SeqOptions, err error) {
	find := func(name string) []int {
		for _, t := range sd {
			if t.Name == name {
				return t.Tensor.Shape()
			}
		}
		return nil
	}
	e := find("embed.weight")
	if e == nil {
		return "", 0, o, fmt.Errorf("no embed.weight")
	}
	if len(e) != 2 || e[0] != 256 || e[1] < 1 {
		return "", 0, o, fmt.Errorf("want embed.weight of shape [256 E], got %v", e)
	}
	hh := find("rnn.weight_hh_l0")
	if hh == nil {
		return "", 0, o, fmt.Errorf("no rnn.weight_hh_l0")
	}
	if len(hh) != 2 || hh[1] < 1 || hh[0]%hh[1] != 0 {
		return "", 0, o, fmt.Errorf("want rnn.weight_hh_l0 of shape [gates*H H], got %v", hh)
	}
	switch hh[0] / hh[1] {
	case 1:
		kind = "rnn"
	case 3:
		kind = "gru"
	case 4:
		kind = "lstm"
	default:
		return "", 0, o, fmt.Errorf("rnn.weight_hh_l0 has shape %v: %d gates, not 1 (rnn), 3 (gru) or 4 (lstm)", hh, hh[0]/hh[1])
	}
	o.Hidden = hh[1]
	for find("rnn.weight_ih_l"+strconv.Itoa(o.Layers)) != nil && o.Layers < 64 {
		o.Layers++
	}
	return kind, e[1], o, nil
}
