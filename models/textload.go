package models

import (
	"fmt"
	"strconv"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// TextModelFrom builds the TextModel whose weights sd holds (a state dict
// written by `descent train --text`, or PyTorch's TextModel) and loads
// them. The kind and the sizes come from the tensors' shapes: the
// embedding width from embed.weight [256, E], the hidden size and the
// kind from rnn.weight_hh_l0 [gates·H, H] (4 gates: lstm, 3: gru, 1:
// rnn), the layers from the rnn.weight_ih_lK present. nonlinearity is the
// rnn's ("tanh" or "relu"), which the weights do not record; the other
// kinds ignore it.
func TextModelFrom(sd []nn.NamedTensor[float32], nonlinearity string) (*TextModel[float32], error) {
	kind, embed, o, err := textModelShape(sd)
	if err != nil {
		return nil, fmt.Errorf("models: not a byte-level language model: %v", err)
	}
	if kind == "rnn" {
		if nonlinearity != "tanh" && nonlinearity != "relu" {
			return nil, fmt.Errorf("models: unknown rnn nonlinearity %q; valid: tanh, relu", nonlinearity)
		}
		o.Nonlinearity = nonlinearity
	}
	m, err := NewTextModel[float32](tensor.NewRand(1), kind, embed, o)
	if err != nil {
		return nil, err
	}
	if err := nn.LoadStateDict[float32](m, sd, true); err != nil {
		return nil, fmt.Errorf("models: the state dict does not fit a %s language model: %v", kind, err)
	}
	return m, nil
}

// textModelShape reads a TextModel's kind and sizes from its state dict.
func textModelShape(sd []nn.NamedTensor[float32]) (kind string, embed int, o SeqOptions, err error) {
	find := func(name string) []int {
		for _, t := range sd {
			if t.Name == name && t.Tensor != nil {
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
