package initializer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/descent-ml/descent/internal/kv"
)

// Config is a scheme's typed configuration: a struct whose fields carry
// torch.nn.init's argument names as `kv` tags (for most schemes the
// initializer struct itself), with the Validate that New calls.
type Config interface{ Validate() error }

// NoSettings is the configuration of a scheme that takes none (zeros, eye).
type NoSettings struct{}

// Validate accepts the empty configuration.
func (NoSettings) Validate() error { return nil }

// KaimingConfig configures kaiming_uniform and kaiming_normal with
// torch.nn.init's arguments: a, mode (fan_in or fan_out) and nonlinearity.
type KaimingConfig struct {
	A            float64 `kv:"a"`
	Mode         string  `kv:"mode"`
	Nonlinearity string  `kv:"nonlinearity"`
}

// KaimingDefaults returns PyTorch's defaults: a 0, fan_in, leaky_relu.
func KaimingDefaults() KaimingConfig {
	return KaimingConfig{Mode: "fan_in", Nonlinearity: "leaky_relu"}
}

// Validate checks mode and nonlinearity.
func (c *KaimingConfig) Validate() error {
	if c.Mode != "fan_in" && c.Mode != "fan_out" {
		return fmt.Errorf("mode=%q; valid: fan_in, fan_out", c.Mode)
	}
	if !slices.Contains(Nonlinearities, c.Nonlinearity) {
		return fmt.Errorf("nonlinearity=%q; valid: %s", c.Nonlinearity, strings.Join(Nonlinearities, ", "))
	}
	return nil
}

func (c *KaimingConfig) mode() Mode {
	if c.Mode == "fan_out" {
		return FanOut
	}
	return FanIn
}

// Validate checks the bounds.
func (u *Uniform) Validate() error { _, err := u.Law(nil); return unwrapPrefix(err) }

// Validate checks the standard deviation.
func (n *Normal) Validate() error { _, err := n.Law(nil); return unwrapPrefix(err) }

// Validate checks the standard deviation and the bounds.
func (tn *TruncNormal) Validate() error { _, err := tn.Law(nil); return unwrapPrefix(err) }

// Validate accepts any finite value.
func (c *Constant) Validate() error { return nil }

// Validate checks the gain.
func (o *Orthogonal) Validate() error { return unwrapPrefix(checkGain("orthogonal", o.Gain)) }

// Validate checks the gain.
func (x *XavierUniform) Validate() error { return unwrapPrefix(checkGain("xavier_uniform", x.Gain)) }

// Validate checks the gain.
func (x *XavierNormal) Validate() error { return unwrapPrefix(checkGain("xavier_normal", x.Gain)) }

// Entry is one row of the registry: a scheme's name (torch.nn.init's,
// less the trailing underscore), a one-line summary, its defaults (a
// pointer to a fresh config holding PyTorch's defaults), the settings
// without a default, and how to build it.
type Entry struct {
	Name, Summary string
	Defaults      func() Config
	Required      []string
	build         func(Config) Initializer
}

// row makes an Entry whose config is *C.
func row[C any, PC interface {
	*C
	Config
}](name, summary string, defaults func() C, required []string, build func(C) Initializer) Entry {
	return Entry{Name: name, Summary: summary, Required: required,
		Defaults: func() Config { c := defaults(); return PC(&c) },
		build:    func(c Config) Initializer { return build(*(*C)(c.(PC))) }}
}

func same[I Initializer](c I) Initializer { return c }

func noSettings() NoSettings { return NoSettings{} }

func fixed(i Initializer) func(NoSettings) Initializer {
	return func(NoSettings) Initializer { return i }
}

func one[T any](v T) func() T { return func() T { return v } }

// registry lists the schemes in the lecture's order.
var registry = []Entry{
	row("zeros", "all 0", noSettings, nil, fixed(Zeros{})),
	row("ones", "all 1", noSettings, nil, fixed(Ones{})),
	row("constant", "all val", one(Constant{}), []string{"val"}, same[Constant]),
	row("uniform", "U[a, b)", one(Uniform{A: 0, B: 1}), nil, same[Uniform]),
	row("normal", "N(mean, std²)", one(Normal{Mean: 0, Std: 1}), nil, same[Normal]),
	row("trunc_normal", "N(mean, std²) cut to [a, b]", one(TruncNormal{Mean: 0, Std: 1, A: -2, B: 2}), nil, same[TruncNormal]),
	row("orthogonal", "random orthogonal matrix times gain", one(Orthogonal{Gain: 1}), nil, same[Orthogonal]),
	row("eye", "identity matrix (2-D)", noSettings, nil, fixed(Eye{})),
	row("dirac", "identity convolution (3- to 5-D)", noSettings, nil, fixed(Dirac{})),
	row("lecun_uniform", "U(±sqrt(3/fan_in))", noSettings, nil, fixed(LeCunUniform{})),
	row("lecun_normal", "Keras: normal cut at 2σ, std sqrt(1/fan_in)", noSettings, nil, fixed(LeCunNormal{})),
	row("xavier_uniform", "U(±gain·sqrt(6/(fan_in+fan_out)))", one(XavierUniform{Gain: 1}), nil, same[XavierUniform]),
	row("xavier_normal", "N(0, gain²·2/(fan_in+fan_out))", one(XavierNormal{Gain: 1}), nil, same[XavierNormal]),
	row("kaiming_uniform", "U(±gain·sqrt(3/fan))", KaimingDefaults, nil, func(c KaimingConfig) Initializer {
		return KaimingUniform{A: c.A, Mode: c.mode(), Nonlinearity: c.Nonlinearity}
	}),
	row("kaiming_normal", "N(0, gain²/fan): He for ReLU", KaimingDefaults, nil, func(c KaimingConfig) Initializer {
		return KaimingNormal{A: c.A, Mode: c.mode(), Nonlinearity: c.Nonlinearity}
	}),
	row("torch_default", "PyTorch's Linear/Conv default, U(±1/sqrt(fan_in))", noSettings, nil, fixed(TorchDefault{})),
}

// Names returns the schemes New builds, in the lecture's order.
func Names() []string {
	names := make([]string, len(registry))
	for i, e := range registry {
		names[i] = e.Name
	}
	return names
}

// Lookup returns the registry row of name.
func Lookup(name string) (Entry, bool) {
	i := slices.IndexFunc(registry, func(e Entry) bool { return e.Name == name })
	if i < 0 {
		return Entry{}, false
	}
	return registry[i], true
}

// Keys returns the settings of a scheme (torch.nn.init's argument names).
func Keys(name string) []string {
	e, ok := Lookup(name)
	if !ok {
		return nil
	}
	return kv.Keys(e.Defaults())
}

// Help is the registry as help text, one line per scheme in the
// lecture's order: its name, its summary and its settings in brackets
// ("  xavier_uniform   U(±gain·sqrt(6/(fan_in+fan_out))) [gain]").
func Help() string {
	var b strings.Builder
	for _, e := range registry {
		fmt.Fprintf(&b, "  %-16s %s", e.Name, e.Summary)
		if keys := Keys(e.Name); len(keys) > 0 {
			fmt.Fprintf(&b, " [%s]", strings.Join(keys, ","))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// ValidKeys says which settings a scheme takes, with PyTorch's defaults:
// "valid keys: gain (default 1)", or "it takes no settings".
func (e Entry) ValidKeys() string {
	pairs, _ := kv.Split(kv.Format(e.Defaults()))
	if len(pairs) == 0 {
		return "it takes no settings"
	}
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.Key
		if !slices.Contains(e.Required, p.Key) {
			parts[i] += " (default " + p.Value + ")"
		}
	}
	return "valid keys: " + strings.Join(parts, ", ")
}

// New builds the scheme called name from PyTorch's defaults and settings,
// "k=v,k=v" with torch.nn.init's argument names:
//
//	init, err := initializer.New("kaiming_normal", "mode=fan_out,nonlinearity=relu")
//
// Errors name the bad key and list the valid ones.
func New(name, settings string) (Initializer, error) {
	pairs, err := kv.Split(settings)
	if err != nil {
		return nil, fmt.Errorf("initializer: %v", err)
	}
	return Build(name, pairs)
}

// Build is New with the settings already split into pairs.
func Build(name string, pairs []kv.Pair) (Initializer, error) {
	e, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("initializer: unknown init scheme %q; valid: %s", name, strings.Join(Names(), ", "))
	}
	cfg := e.Defaults()
	keys := kv.Keys(cfg)
	for _, p := range pairs {
		if !slices.Contains(keys, p.Key) {
			return nil, fmt.Errorf("initializer: init scheme %s has no setting %q; %s", name, p.Key, e.ValidKeys())
		}
	}
	for _, k := range e.Required {
		if !slices.ContainsFunc(pairs, func(p kv.Pair) bool { return p.Key == k }) {
			return nil, fmt.Errorf("initializer: init scheme %s needs %s=VALUE", name, k)
		}
	}
	if err := kv.Apply(pairs, cfg); err != nil {
		return nil, fmt.Errorf("initializer: init scheme %s: %v", name, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("initializer: init scheme %s: %v", name, err)
	}
	return e.build(cfg), nil
}
