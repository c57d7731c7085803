package train

import (
	"errors"
	"strings"
	"testing"
)

// TestConfigErrorText: a ConfigError names fields by their keys (or the
// library's words for them) in Error, and by whatever a command line
// passes to Text; the arguments are never read for field names.
func TestConfigErrorText(t *testing.T) {
	flag := func(key string) string { return "--" + strings.ReplaceAll(key, "_", "-") }
	for _, c := range []struct {
		err       *ConfigError
		lib, text string
	}{
		{configErrorf("{init_set} needs {init}"), "train: init_set needs init", "--init-set needs --init"},
		{configErrorf("{batch} %q: want a positive size, or full", "0"), `train: batch "0": want a positive size, or full`, `--batch "0": want a positive size, or full`},
		{configErrorf("{out:directory} %s already holds a run: continue it with {resume:a resume of} %s", "d", "d"),
			"train: directory d already holds a run: continue it with a resume of d", "--out d already holds a run: continue it with --resume d"},
		{configErrorf("{hidden} %q: 100%% of %s", "{model}", "{act}"), `train: hidden "{model}": 100% of {act}`, `--hidden "{model}": 100% of {act}`},
	} {
		if got := c.err.Error(); got != c.lib {
			t.Errorf("Error() = %q, want %q", got, c.lib)
		}
		if got := c.err.Text(flag); got != c.text {
			t.Errorf("Text(flag) = %q, want %q", got, c.text)
		}
	}
	inner := errors.New("inner")
	if err := configErrorf("{data} %s: %v", "x", inner); !errors.Is(err, inner) || !IsConfigError(err) {
		t.Errorf("%v does not wrap its error argument", err)
	}
}

// TestConfigValidate: each field Validate checks is refused alone, named.
func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		set  func(*Config)
		want string
	}{
		{func(c *Config) { c.Epochs = 0 }, "epochs 0"},
		{func(c *Config) { c.Batch = "x" }, `batch "x"`},
		{func(c *Config) { c.ClipGradNorm = -1 }, "clip_grad_norm -1"},
		{func(c *Config) { c.CheckpointEvery = -1 }, "checkpoint_every -1"},
		{func(c *Config) { c.Pretrain, c.PretrainEpochs = "autoencoder", 0 }, "pretrain_epochs 0"},
		{func(c *Config) { c.Pretrain = "rbm" }, `unknown pretrain "rbm"`},
		{func(c *Config) { c.Pretrain, c.Model = "autoencoder", "cnn" }, `does not apply to "cnn"`},
	} {
		cfg := Defaults()
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Defaults().Validate() = %v", err)
		}
		c.set(&cfg)
		if err := cfg.Validate(); err == nil || !IsConfigError(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate() = %v, want a ConfigError containing %q", err, c.want)
		}
	}
}
