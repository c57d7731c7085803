package train

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kv"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/schedule"
	"github.com/descent-ml/descent/tensor"
)

func isRecurrent(model string) bool { return slices.Contains(models.RecurrentNames, model) }

// BuildModel builds the model c names, with its initializer, for
// examples of shape example in classes classes: the MLP's input and
// output widths follow them; a model of fixed sizes (the CNN, the
// sequential-MNIST models) that does not fit them is a ConfigError saying
// so, and an MLP too large to allocate is refused first
// (models.CheckMLPSize).
func BuildModel(c Config, example []int, classes int) (nn.Module[float32], error) {
	if isRecurrent(c.Model) {
		return buildRecurrent(c, example, classes)
	}
	if !slices.Contains(models.Names, c.Model) {
		return nil, configErrorf("unknown {model} %q; valid models: %s", c.Model, strings.Join(models.AllNames, ", "))
	}
	if c.Layers != 0 {
		return nil, configErrorf("{layers} is for the recurrent models (%s), not %s", strings.Join(models.RecurrentNames, ", "), c.Model)
	}
	if !slices.Contains(nn.ActivationNames, c.Act) {
		return nil, configErrorf("unknown {act} %q; valid activations: %s", c.Act, strings.Join(nn.ActivationNames, ", "))
	}
	opts := models.Options{Activation: c.Act, Norm: c.Norm}
	if c.Norm != "" && !slices.Contains(models.Norms, c.Norm) {
		return nil, configErrorf("unknown {norm} %q; valid: %s", c.Norm, strings.Join(models.Norms, ", "))
	}
	classes = max(classes, 1) // a regression has one output
	if c.Init != "" {
		init, err := initializer.New(c.Init, c.InitSet)
		if err != nil {
			return nil, configErrorf("{init}: %s", strings.TrimPrefix(err.Error(), "initializer: ")).wrap(err)
		}
		opts.WeightInit = init
	} else if c.InitSet != "" {
		return nil, configErrorf("{init_set} needs {init}")
	}
	if c.Model == "mlp" {
		return buildMLP(c, example, classes, opts)
	}
	if want, err := models.InputShape(c.Model); err == nil && !slices.Equal(want, example) {
		return nil, configErrorf("{model} %s takes %s images but the data set's are %s; {model} mlp sizes itself to the data",
			c.Model, shapeName(want), shapeName(example))
	}
	m, err := models.New[float32](c.Model, tensor.NewRand(c.Seed), opts)
	if err != nil {
		return nil, inputError(err)
	}
	if out := outputWidth(m, example); out < classes {
		return nil, configErrorf("{model} %s has %d classes but the data set has %d (labels 0 to %d); {model} mlp sizes itself to the data",
			c.Model, out, classes, classes-1)
	}
	return m, nil
}

// buildMLP builds the mlp, its input and output widths those of the data.
func buildMLP(c Config, example []int, classes int, opts models.Options) (nn.Module[float32], error) {
	hidden, err := kv.Ints(c.Hidden)
	if err != nil || slices.ContainsFunc(hidden, func(h int) bool { return h <= 0 }) {
		return nil, configErrorf("{hidden} %q: want positive widths like 512,256", c.Hidden)
	}
	in := size(example)
	if err := models.CheckMLPSize(in, hidden, classes); err != nil {
		return nil, configErrorf("{hidden} %q: %s", c.Hidden, strings.TrimPrefix(err.Error(), "models: mlp: ")).wrap(err)
	}
	m, err := models.MLP[float32](tensor.NewRand(c.Seed), in, hidden, classes, opts)
	if err != nil {
		return nil, inputError(err)
	}
	return m, nil
}

func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// seqOptions decodes a recurrent model's Hidden (one positive size),
// Layers (0 to 64; 0 is 1) and Act (tanh or relu for rnn; tanh, the
// default, for lstm and gru, which have no choice).
func (c *Config) seqOptions() (models.SeqOptions, error) {
	h, err := strconv.Atoi(strings.TrimSpace(c.Hidden))
	if err != nil || h <= 0 {
		if strings.Contains(c.Hidden, ",") {
			return models.SeqOptions{}, configErrorf("{hidden} %q: {model} %s has one hidden size, not a list; want e.g. {hidden} 128", c.Hidden, c.Model)
		}
		return models.SeqOptions{}, configErrorf("{hidden} %q: want a positive hidden size like 128", c.Hidden)
	}
	if h > 1<<14 {
		return models.SeqOptions{}, configErrorf("{hidden} %d: at most %d", h, 1<<14)
	}
	if c.Layers < 0 || c.Layers > 64 {
		return models.SeqOptions{}, configErrorf("{layers} %d: want 1 to 64 layers", c.Layers)
	}
	o := models.SeqOptions{Hidden: h, Layers: c.Layers}
	switch {
	case c.Model == "rnn" && (c.Act == "tanh" || c.Act == "relu"):
		o.Nonlinearity = c.Act
	case c.Model == "rnn":
		return models.SeqOptions{}, configErrorf("unknown {act} %q for {model} rnn; valid: tanh, relu", c.Act)
	case c.Act != "tanh":
		return models.SeqOptions{}, configErrorf("{act} %q: {model} %s has fixed nonlinearities; {act} is the rnn's (tanh or relu)", c.Act, c.Model)
	}
	return o, nil
}

// buildRecurrent builds SeqNet (models.NewSeqNet) for sequential MNIST:
// the images must be 28x28 and the classes at most 10.
func buildRecurrent(c Config, example []int, classes int) (nn.Module[float32], error) {
	o, err := c.seqOptions()
	if err != nil {
		return nil, err
	}
	if c.Init != "" || c.InitSet != "" {
		return nil, configErrorf("{init} is for the mlp and cnn; {model} %s keeps PyTorch's initialization", c.Model)
	}
	if c.Norm != "" {
		return nil, configErrorf("{norm} %s normalizes the hidden layers of the mlp and cnn; {model} %s has none", c.Norm, c.Model)
	}
	if want, _ := models.InputShape(c.Model); !slices.Equal(want, example) && !slices.Equal([]int{1, 28, 28}, example) {
		return nil, configErrorf("{model} %s reads 28x28 images as 28 steps of 28 pixels but the data set's are %s", c.Model, shapeName(example))
	}
	if classes > 10 {
		return nil, configErrorf("{model} %s has 10 classes but the data set has %d", c.Model, classes)
	}
	m, err := models.NewSeqNet[float32](tensor.NewRand(c.Seed), c.Model, o)
	if err != nil {
		return nil, inputError(err)
	}
	return m, nil
}

var layerName = regexp.MustCompile(`^rnn\.weight_ih_l(\d+)$`)

// RecurrentSizesFrom sets c's Hidden and Layers from a recurrent model's
// state dict (fc.weight's columns, the number of rnn.weight_ih_l{k}),
// each unless given holds its key.
func (c *Config) RecurrentSizesFrom(given map[string]bool, sd []nn.NamedTensor[float32]) {
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

// shapeName spells an image shape [1 rows cols] as rowsxcols, any other
// shape with all its dimensions ("3x32x32").
func shapeName(shape []int) string {
	if len(shape) == 3 && shape[0] == 1 {
		shape = shape[1:]
	}
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, "x")
}

// outputWidth returns the number of outputs of model for one example of
// the given shape, running it once without recording.
func outputWidth(model nn.Module[float32], example []int) int {
	g := autograd.New[float32]()
	x := autograd.NewConstant(tensor.New[float32](append([]int{1}, example...)...))
	nn.SetTraining(model, false)
	defer nn.SetTraining(model, true)
	out := 0
	g.NoGrad(func() { out = model.Forward(g, x).Value.Len() })
	return out
}

// BuildOptimizer builds c's optimizer (optim.Build: Opt with Set, LR
// given as lr) over params, wrapped in Lookahead if c asks for it.
func BuildOptimizer(c Config, params []*autograd.Var[float32]) (optim.Optimizer[float32], error) {
	lr := math.NaN()
	if c.LR != "" {
		v, err := strconv.ParseFloat(c.LR, 64)
		if err != nil || !(v >= 0) || math.IsInf(v, 0) {
			return nil, configErrorf("{lr} %q: want a non-negative number", c.LR)
		}
		lr = v
	}
	pairs, err := kv.Split(c.Set)
	if err != nil {
		return nil, configErrorf("{opt} %s: %v", c.Opt, err)
	}
	if v := lr; v == v {
		if slices.ContainsFunc(pairs, func(p kv.Pair) bool { return p.Key == "lr" || p.Key == "inner.lr" }) {
			return nil, configErrorf("{opt} %s: %s: give the learning rate with {lr}, not lr=", c.Opt, c.Opt)
		}
		pairs = append(pairs, kv.Pair{Key: "lr", Value: strconv.FormatFloat(v, 'g', -1, 64)})
	}
	opt, err := optim.Build(c.Opt, params, pairs)
	if err != nil {
		return nil, configErrorf("{opt} %s: %v", c.Opt, err)
	}
	if c.Lookahead == "" {
		return opt, nil
	}
	cfg := optim.LookaheadDefaults()
	if err := kv.Decode(c.Lookahead, &cfg); err != nil {
		return nil, configErrorf("{lookahead}: %v", err)
	}
	la, err := optim.NewLookahead(opt, cfg)
	if err != nil {
		return nil, configErrorf("{lookahead}: %v", err)
	}
	return la, nil
}

// setSchedule sets the trainer's schedule (or plateau) from c; the run's
// length is the default of T_max and total_steps, and the optimizer's lr
// that of a one-cycle or cyclic schedule's max_lr.
func setSchedule(tr *Trainer, c Config) error {
	name := c.Schedule
	lr := tr.Optimizer.Groups()[0].LR
	switch name {
	case "", "none":
		if c.ScheduleSet != "" {
			return configErrorf("{schedule_set} needs {schedule}")
		}
		return nil
	case "plateau":
		p, err := schedule.PlateauFrom(lr, c.ScheduleSet)
		if err != nil {
			return configErrorf("{schedule} %s", strings.TrimPrefix(err.Error(), "schedule: ")).wrap(err)
		}
		tr.Plateau = p
		return nil
	}
	set := c.ScheduleSet
	if (name == "onecycle" || name == "cyclic") && !strings.Contains(set, "max_lr") {
		if set != "" {
			set += ","
		}
		set += "max_lr=" + strconv.FormatFloat(lr, 'g', -1, 64)
	}
	s, err := schedule.New(name, lr, c.Epochs*tr.StepsPerEpoch(), set)
	if err != nil {
		return configErrorf("{schedule}: %s", strings.TrimPrefix(err.Error(), "schedule: ")).wrap(err)
	}
	tr.Schedule = s
	return nil
}

// Describe names the model c builds for examples of shape example in
// classes classes, and its optimizer: "mlp 784-512-256-10, sgd lr 0.05
// (onecycle)".
func Describe(c Config, example []int, classes int) string {
	s := c.Model
	if c.Model == "mlp" {
		s = fmt.Sprintf("mlp %d-%s-%d", size(example), strings.ReplaceAll(c.Hidden, ",", "-"), max(classes, 1))
	}
	if isRecurrent(c.Model) {
		s = fmt.Sprintf("%s hidden %s, %d layer(s)", c.Model, c.Hidden, max(c.Layers, 1))
	}
	lr := c.LR
	if lr == "" {
		lr = "default"
	}
	s += ", " + c.Opt + " lr " + lr
	if c.Schedule != "" && c.Schedule != "none" {
		s += " (" + c.Schedule + ")"
	}
	return s
}

// DescribeData names the data c trains on: "embedded MNIST, first 5000".
func DescribeData(c Config) string {
	name := c.Data
	if c.Data == "" {
		name = "embedded MNIST"
	}
	if c.Limit > 0 {
		name += fmt.Sprintf(", first %d", c.Limit)
	}
	return name
}

// optimizerBuffers is the number of tensors the size of each parameter
// that c's optimizer keeps (PyTorch's state per parameter), plus
// Lookahead's slow weights.
func optimizerBuffers(c Config) int {
	n := map[string]int{"sgd": 1, "adagrad": 1, "rmsprop": 3, "adadelta": 2, "adam": 2, "adamw": 2,
		"adamax": 2, "nadam": 2, "radam": 2, "lookahead": 2}[c.Opt]
	if strings.Contains(c.Set, "amsgrad=true") {
		n++
	}
	if c.Lookahead != "" {
		n++
	}
	return n
}
