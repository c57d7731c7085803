package train

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Config is a whole training run described by value: the model, the
// optimizer and its schedule, the initialization, the data and the run's
// length, in the form descent train's flags give them and run.json
// records them under "config" (a flag --init-set is the key init_set).
// Numbers and lists are kept as written ("512,256", "full", an empty LR
// for the optimizer's default), so a run.json stays resumable whatever
// the version that wrote it; Prepare decodes and checks every field,
// through the typed configs of models, optim, optim/schedule and
// nn/initializer, before anything is allocated or written.
//
// The flag tags are descent train's flags (internal/cliflag); --model,
// --act, --opt and --schedule, whose help lists the names, are declared by
// the command.
type Config struct {
	Model  string `json:"model"` // models.AllNames
	Hidden string `json:"hidden" flag:"hidden" help:"hidden layer widths of the mlp; the hidden size of rnn, lstm and gru (default 128)"`
	Layers int    `json:"layers,omitempty" flag:"layers" help:"recurrent layers of rnn, lstm and gru (default 1)"`
	Act    string `json:"act"` // nn.ActivationNames; the rnn's nonlinearity
	Opt    string `json:"opt"` // optim.Names
	// LR "" keeps the optimizer's default.
	LR string `json:"lr" flag:"lr" help:"learning rate (the peak of one-cycle and cyclic schedules; default for another --opt: a good value for it)"`
	// Set goes to optim.New, ScheduleSet to schedule.New.
	Set         string `json:"set" flag:"set" help:"optimizer settings k=v,... (PyTorch's argument names; betas as beta1, beta2; default for another --opt: none)"`
	Schedule    string `json:"schedule"` // "", none, plateau or schedule.Names
	ScheduleSet string `json:"schedule_set" flag:"schedule-set" help:"schedule settings k=v,... (PyTorch's argument names)"`
	Lookahead   string `json:"lookahead" flag:"lookahead" help:"wrap the optimizer in Lookahead with k=K,alpha=A (e.g. k=5,alpha=0.5)"`
	Init        string `json:"init" flag:"init" help:"weight initializer for every layer (default: PyTorch's); see descent init --help"`
	InitSet     string `json:"init_set" flag:"init-set" help:"initializer settings k=v,... (torch.nn.init's argument names)"`
	Epochs      int    `json:"epochs" flag:"epochs" help:"passes over the training set"`
	Batch       string `json:"batch" flag:"batch" help:"batch size, or full for full-batch gradient descent (1 is pure SGD)"`
	Seed        uint64 `json:"seed" flag:"seed" help:"random seed: initial weights, data order, dropout"`
	// InitFrom loads with nn.LoadPartial.
	InitFrom       string `json:"init_from" flag:"init-from" help:"start from weights in a safetensors file (names present load, at least one; the rest keep their init)"`
	Freeze         string `json:"freeze" flag:"freeze" help:"keep parameters with these name prefixes fixed, e.g. 0.,2."`
	Pretrain       string `json:"pretrain" flag:"pretrain" help:"unsupervised pretraining of the hidden layers: autoencoder"`
	PretrainEpochs int    `json:"pretrain_epochs" flag:"pretrain-epochs" help:"epochs of pretraining per layer"`
	// ClipGradNorm and CheckpointEvery are the Trainer's Options.
	ClipGradNorm    float64 `json:"clip_grad_norm" flag:"clip-grad-norm" help:"clip the gradients' global L2 norm to this (0: off)"`
	Data            string  `json:"data" flag:"data" help:"a CSV file, a folder of class folders of images (torchvision's ImageFolder), or a directory of IDX files in MNIST's layout (default: the embedded MNIST); the mlp's input and output widths follow the data"`
	CheckpointEvery int     `json:"checkpoint_every" flag:"checkpoint-every" help:"also checkpoint every N steps (0: only at the end of each epoch)"`
	Threads         int     `json:"threads" flag:"threads" help:"threads for the kernels (default: all cores)"`
	// Limit, when positive, trains on the first Limit training examples
	// and evaluates on at most the first Limit test examples.
	Limit int `json:"limit" flag:"limit" help:"use only the first N training images and at most N test images (0: all); for tests and quick experiments"`
	// A CSV file or an image folder given to Data (data.SourceOptions).
	TestData  string  `json:"test_data,omitempty" flag:"test-data" help:"test data in the form of --data (a CSV file or an image folder); default: hold out --test-split of --data"`
	TestSplit float64 `json:"test_split,omitempty" flag:"test-split" help:"fraction of a CSV's rows or a folder's images held out for testing (default 0.2)"`
	Target    string  `json:"target,omitempty" flag:"target" help:"the CSV's target column, by name or 0-based index (default: the last)"`
	Task      string  `json:"task,omitempty" flag:"task" help:"classification or regression (default: guessed from the CSV's target)"`
	ImageSize string  `json:"image_size,omitempty" flag:"image-size" help:"resize an image folder's images to HxW or N (NxN) (default: the first image's size)"`
	Channels  int     `json:"channels,omitempty" flag:"channels" help:"an image folder's channels: 1 (grayscale) or 3 (RGB) (default: the first image's)"`
	// Norm is models.Options.Norm.
	Norm string `json:"norm,omitempty" flag:"norm" help:"normalization after each hidden Linear (and convolution): batch or layer (default: none)"`
}

// Defaults returns what descent train does with no flags: the MLP, SGD
// with Nesterov momentum under a one-cycle schedule, three epochs: past
// 98% test accuracy on MNIST in a few seconds.
func Defaults() Config {
	return Config{Model: "mlp", Hidden: "512,256", Act: "relu", Opt: "sgd", LR: "0.05",
		Set: "momentum=0.9,nesterov=true", Schedule: "onecycle", Epochs: 3, Batch: "128", Seed: 1,
		PretrainEpochs: 1}
}

// RecurrentDefaults replaces, in a Config for rnn, lstm or gru, the MLP's
// defaults that do not suit a recurrent model (hidden 128, PyTorch's
// tanh; Adam under a one-cycle schedule peaking at lr 0.005, 3 epochs)
// for every key (Config's JSON names) that given does not hold. The
// optimizer settings apply only where no optimizer was given.
func (c *Config) RecurrentDefaults(given map[string]bool) {
	if !isRecurrent(c.Model) {
		return
	}
	c.RecurrentSizeDefaults(given)
	if !given["opt"] {
		c.Opt = "adam"
		if !given["set"] {
			c.Set = ""
		}
		if !given["lr"] {
			c.LR = "0.005"
		}
	}
	if !given["schedule"] {
		c.Schedule = "onecycle"
	}
	if !given["epochs"] {
		c.Epochs = 3
	}
}

// Ignored says, one line each, which given flags c's model ignores:
// --hidden for the cnn, whose sizes are fixed (Config's default widths are
// the mlp's, so BuildModel cannot tell a given one from the default). A
// note rather than an error: a script looping over models with one set of
// flags keeps working.
func (c *Config) Ignored(given map[string]bool) []string {
	if given["hidden"] && c.Model == "cnn" {
		return []string{fmt.Sprintf("note: --hidden %s does not apply to --model cnn, whose sizes are fixed; ignored", c.Hidden)}
	}
	return nil
}

// RecurrentSizeDefaults gives a recurrent model its hidden size 128 and
// tanh unless given holds "hidden" and "act".
func (c *Config) RecurrentSizeDefaults(given map[string]bool) {
	if !isRecurrent(c.Model) {
		return
	}
	if !given["hidden"] {
		c.Hidden = "128"
	}
	if !given["act"] {
		c.Act = "tanh"
	}
}

// Validate checks the fields that need no data or model: the run's
// length, batch, clipping, checkpoints and pretraining.
func (c *Config) Validate() error {
	if c.Epochs <= 0 {
		return configErrorf("{epochs} %d: want a positive number", c.Epochs)
	}
	if _, err := c.BatchSize(); err != nil {
		return err
	}
	if c.ClipGradNorm < 0 || math.IsNaN(c.ClipGradNorm) || math.IsInf(c.ClipGradNorm, 0) {
		return configErrorf("{clip_grad_norm} %v: want a finite positive number, or 0 for off", c.ClipGradNorm)
	}
	if c.CheckpointEvery < 0 {
		return configErrorf("{checkpoint_every} %d: want a positive number of steps, or 0 for once an epoch", c.CheckpointEvery)
	}
	if c.Pretrain != "" && c.PretrainEpochs < 1 {
		return configErrorf("{pretrain_epochs} %d: want a positive number", c.PretrainEpochs)
	}
	if c.Pretrain != "" && c.Pretrain != "autoencoder" {
		return configErrorf("unknown {pretrain} %q; valid: autoencoder", c.Pretrain)
	}
	if c.Pretrain != "" && c.Model != "mlp" {
		return c.pretrainMLPOnly()
	}
	return nil
}

func (c *Config) pretrainMLPOnly() error {
	return configErrorf("{pretrain} autoencoder pretrains the hidden layers of the mlp model; it does not apply to %q", c.Model)
}

// BatchSize decodes Batch: a positive size, or 0 for "full".
func (c *Config) BatchSize() (int, error) {
	if c.Batch == "full" {
		return 0, nil
	}
	b, err := strconv.Atoi(c.Batch)
	if err != nil || b <= 0 {
		return 0, configErrorf("{batch} %q: want a positive size, or full", c.Batch)
	}
	return b, nil
}

// ConfigError is a mistake in a Config, or in the input it names (a data
// file, weights to start from, a run directory): the run cannot start,
// and nothing was trained. Its message names Config's fields by their
// JSON keys; Text lets a command line name its flags instead.
type ConfigError struct {
	format string // fmt format; {key} or {key:words} stand for a field
	args   []any
	err    error // what it wraps, if anything
}

// field matches {key} and {key:library words} in a ConfigError's format.
var field = regexp.MustCompile(`\{([a-z_]+)(?::([^}]*))?\}`)

// configErrorf returns a ConfigError; format names fields as {key}.
func configErrorf(format string, args ...any) *ConfigError {
	ce := &ConfigError{format: format, args: args}
	for _, a := range args {
		if e, ok := a.(error); ok {
			ce.err = e
		}
	}
	return ce
}

// inputError makes err, an error from the world (a file that does not
// parse, a model that cannot be built as configured), a ConfigError.
func inputError(err error) error {
	if err == nil {
		return nil
	}
	return configErrorf("%s", err.Error()).wrap(err)
}

func (e *ConfigError) wrap(err error) *ConfigError { e.err = err; return e }

// within puts format (a ConfigError format: fields as {key}) with args
// before e's message.
func (e *ConfigError) within(format string, args ...any) *ConfigError {
	return &ConfigError{format: format + e.format, args: append(args, e.args...), err: e.err}
}

// Text is the message with each field named by name(key): a command line
// passes its flag names (name("init_set") = "--init-set").
func (e *ConfigError) Text(name func(key string) string) string {
	format := field.ReplaceAllStringFunc(e.format, func(m string) string {
		return strings.ReplaceAll(name(field.FindStringSubmatch(m)[1]), "%", "%%")
	})
	return fmt.Sprintf(format, e.args...)
}

// Error names the fields by their keys (or the words the library gives
// them), after "train: ".
func (e *ConfigError) Error() string {
	format := field.ReplaceAllStringFunc(e.format, func(m string) string {
		s := field.FindStringSubmatch(m)
		if s[2] != "" {
			return s[2]
		}
		return s[1]
	})
	msg := fmt.Sprintf(format, e.args...)
	if strings.HasPrefix(msg, "train: ") { // a Trainer's own error
		return msg
	}
	return "train: " + msg
}

// Unwrap returns the error the ConfigError reports, if any.
func (e *ConfigError) Unwrap() error { return e.err }

// IsConfigError reports whether err is, or wraps, a ConfigError.
func IsConfigError(err error) bool {
	var ce *ConfigError
	return errors.As(err, &ce)
}
