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
type Config struct {
	Model           string  `json:"model"`            // models.AllNames
	Hidden          string  `json:"hidden"`           // the mlp's widths "512,256"; a recurrent model's size "128"
	Layers          int     `json:"layers,omitempty"` // recurrent layers; 0 is 1
	Act             string  `json:"act"`              // nn.ActivationNames; the rnn's nonlinearity
	Opt             string  `json:"opt"`              // optim.Names
	LR              string  `json:"lr"`               // "" keeps the optimizer's default
	Set             string  `json:"set"`              // optimizer settings k=v,... (optim.New)
	Schedule        string  `json:"schedule"`         // "", none, plateau or schedule.Names
	ScheduleSet     string  `json:"schedule_set"`     // schedule settings k=v,... (schedule.New)
	Lookahead       string  `json:"lookahead"`        // "" or Lookahead's k=K,alpha=A
	Init            string  `json:"init"`             // initializer.Names; "" is PyTorch's
	InitSet         string  `json:"init_set"`         // initializer settings k=v,...
	Epochs          int     `json:"epochs"`           // passes over the training set
	Batch           string  `json:"batch"`            // a batch size, or "full"
	Seed            uint64  `json:"seed"`             // initial weights, data order, dropout
	InitFrom        string  `json:"init_from"`        // a safetensors file to start from (LoadPartial)
	Freeze          string  `json:"freeze"`           // parameter-name prefixes kept fixed, "0.,2."
	Pretrain        string  `json:"pretrain"`         // "" or autoencoder
	PretrainEpochs  int     `json:"pretrain_epochs"`  // epochs per pretrained layer
	ClipGradNorm    float64 `json:"clip_grad_norm"`   // Options.ClipGradNorm
	Data            string  `json:"data"`             // "" (the embedded MNIST), IDX dir, CSV file or image folder
	CheckpointEvery int     `json:"checkpoint_every"` // Options.CheckpointEvery
	Threads         int     `json:"threads"`          // kernel threads; 0 is all cores
	// Limit, when positive, trains on the first Limit training examples
	// and evaluates on at most the first Limit test examples.
	Limit int `json:"limit"`
	// A CSV file or an image folder given to Data (data.SourceOptions).
	TestData  string  `json:"test_data,omitempty"`
	TestSplit float64 `json:"test_split,omitempty"` // 0 is 0.2
	Target    string  `json:"target,omitempty"`
	Task      string  `json:"task,omitempty"`
	ImageSize string  `json:"image_size,omitempty"` // HxW or N
	Channels  int     `json:"channels,omitempty"`
	Norm      string  `json:"norm,omitempty"` // models.Options.Norm
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
