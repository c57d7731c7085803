package main

import (
	"flag"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// Defaults of the recurrent models (rnn, lstm, gru) where they differ from
// the MLP's: hidden size 128 and PyTorch's tanh, and for training Adam
// under a one-cycle schedule (recurrentTrainDefaults).
const (
	recurrentHidden = "128"
	recurrentAct    = "tanh"
)

// recurrentTrainDefaults is what `descent train --model lstm` (or rnn, gru)
// does with no other flag; the optimizer settings apply only where no
// optimizer flag is given. The README gives the accuracy it reaches.
var recurrentTrainDefaults = trainConfig{Opt: "adam", LR: "0.005", Set: "", Schedule: "onecycle", Epochs: 3}

// recurrentDefaults replaces the MLP's defaults that do not suit a
// recurrent model by the recurrent ones, for every flag not given.
func recurrentDefaults(c *trainConfig, given map[string]bool) {
	if !slices.Contains(models.RecurrentNames, c.Model) {
		return
	}
	if !given["hidden"] {
		c.Hidden = recurrentHidden
	}
	if !given["act"] {
		c.Act = recurrentAct
	}
	d := recurrentTrainDefaults
	if !given["opt"] {
		c.Opt = d.Opt
		if !given["set"] {
			c.Set = d.Set
		}
		if !given["lr"] {
			c.LR = d.LR
		}
	}
	if !given["schedule"] {
		c.Schedule = d.Schedule
	}
	if !given["epochs"] {
		c.Epochs = d.Epochs
	}
}

// seqOptions checks the recurrent model's flags: --hidden one positive
// size, --layers positive, --act tanh or relu for rnn (tanh, the default,
// for lstm and gru, which have no choice).
func seqOptions(c trainConfig) (models.SeqOptions, error) {
	h, err := strconv.Atoi(strings.TrimSpace(c.Hidden))
	if err != nil || h <= 0 {
		if strings.Contains(c.Hidden, ",") {
			return models.SeqOptions{}, usagef("--hidden %q: --model %s has one hidden size, not a list; want e.g. --hidden 128", c.Hidden, c.Model)
		}
		return models.SeqOptions{}, usagef("--hidden %q: want a positive hidden size like 128", c.Hidden)
	}
	if h > 1<<14 {
		return models.SeqOptions{}, usagef("--hidden %d: at most %d", h, 1<<14)
	}
	if c.Layers < 0 || c.Layers > 64 {
		return models.SeqOptions{}, usagef("--layers %d: want 1 to 64 layers", c.Layers)
	}
	o := models.SeqOptions{Hidden: h, Layers: c.Layers}
	switch {
	case c.Model == "rnn" && (c.Act == "tanh" || c.Act == "relu"):
		o.Nonlinearity = c.Act
	case c.Model == "rnn":
		return models.SeqOptions{}, usagef("unknown --act %q for --model rnn; valid: tanh, relu", c.Act)
	case c.Act != "tanh":
		return models.SeqOptions{}, usagef("--act %q: --model %s has fixed nonlinearities; --act is the rnn's (tanh or relu)", c.Act, c.Model)
	}
	return o, nil
}

// buildRecurrent builds SeqNet (models.NewSeqNet) for sequential MNIST:
// the images must be 28x28 and the classes at most 10.
func buildRecurrent(c trainConfig, example []int, classes int) (nn.Module[float32], error) {
	o, err := seqOptions(c)
	if err != nil {
		return nil, err
	}
	if c.Init != "" || c.InitSet != "" {
		return nil, usagef("--init is for the mlp and cnn; --model %s keeps PyTorch's initialization", c.Model)
	}
	if want, _ := models.InputShape(c.Model); !slices.Equal(want, example) && !slices.Equal([]int{1, 28, 28}, example) {
		return nil, usagef("--model %s reads 28x28 images as 28 steps of 28 pixels but the data set's are %s", c.Model, shapeName(example))
	}
	if classes > 10 {
		return nil, usagef("--model %s has 10 classes but the data set has %d", c.Model, classes)
	}
	m, err := models.NewSeqNet[float32](tensor.NewRand(c.Seed), c.Model, o)
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	return m, nil
}

var layerName = regexp.MustCompile(`^rnn\.weight_ih_l(\d+)$`)

// recurrentSizesFrom sets c's hidden size and layer count from a state
// dict (fc.weight's columns, the number of rnn.weight_ih_l{k}) where the
// flags did not give them.
func recurrentSizesFrom(c *trainConfig, given map[string]bool, sd []nn.NamedTensor[float32]) {
	layers := 0
	for _, t := range sd {
		if t.Name == "fc.weight" && len(t.Tensor.Shape()) == 2 && !given["hidden"] {
			c.Hidden = strconv.Itoa(t.Tensor.Shape()[1])
		}
		if m := layerName.FindStringSubmatch(t.Name); m != nil {
			k, _ := strconv.Atoi(m[1])
			layers = max(layers, k+1)
		}
	}
	if layers > 0 && !given["layers"] {
		c.Layers = layers
	}
}

// describeRecurrent names a recurrent model with its sizes.
func describeRecurrent(c trainConfig) string {
	layers := max(c.Layers, 1)
	return fmt.Sprintf("%s hidden %s, %d layer(s)", c.Model, c.Hidden, layers)
}

// recurrentSizeDefaults gives a recurrent model the recurrent hidden size
// and nonlinearity unless --hidden and --act were given, for the commands
// (compare, lr-find) that choose their own optimizers.
func recurrentSizeDefaults(fs *flag.FlagSet, c *trainConfig) {
	if !slices.Contains(models.RecurrentNames, c.Model) {
		return
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if !given["hidden"] {
		c.Hidden = recurrentHidden
	}
	if !given["act"] {
		c.Act = recurrentAct
	}
}
