package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/nn/initializer"
)

// The name -> initializer table that `init`, `lab`, `train` and `compare`
// share: `--init NAME --init-set k=v,...` (or `--scheme NAME --set ...`).
// Names and keys are torch.nn.init's, so a PyTorch user can read a command
// line as the Python call it stands for.

// initKey is one --set key a scheme takes, with PyTorch's default; an
// empty default marks a key that must be given.
type initKey struct{ name, def string }

// initScheme is one entry of the table.
type initScheme struct {
	name    string
	summary string
	keys    []initKey
	build   func(v initValues) (initializer.Initializer, error)
}

var kaimingKeys = []initKey{{"a", "0"}, {"mode", "fan_in"}, {"nonlinearity", "leaky_relu"}}

var initSchemes = []initScheme{
	{"zeros", "all 0", nil, func(initValues) (initializer.Initializer, error) { return initializer.Zeros{}, nil }},
	{"ones", "all 1", nil, func(initValues) (initializer.Initializer, error) { return initializer.Ones{}, nil }},
	{"constant", "all val", []initKey{{"val", ""}}, func(v initValues) (initializer.Initializer, error) {
		return initializer.Constant{Val: v.float("val")}, v.err
	}},
	{"uniform", "U[a, b)", []initKey{{"a", "0"}, {"b", "1"}}, func(v initValues) (initializer.Initializer, error) {
		return initializer.Uniform{A: v.float("a"), B: v.float("b")}, v.err
	}},
	{"normal", "N(mean, std²)", []initKey{{"mean", "0"}, {"std", "1"}}, func(v initValues) (initializer.Initializer, error) {
		return initializer.Normal{Mean: v.float("mean"), Std: v.float("std")}, v.err
	}},
	{"trunc_normal", "N(mean, std²) cut to [a, b]", []initKey{{"mean", "0"}, {"std", "1"}, {"a", "-2"}, {"b", "2"}},
		func(v initValues) (initializer.Initializer, error) {
			return initializer.TruncNormal{Mean: v.float("mean"), Std: v.float("std"), A: v.float("a"), B: v.float("b")}, v.err
		}},
	{"orthogonal", "random orthogonal matrix times gain", []initKey{{"gain", "1"}}, func(v initValues) (initializer.Initializer, error) {
		return initializer.Orthogonal{Gain: v.float("gain")}, v.err
	}},
	{"eye", "identity matrix (2-D)", nil, func(initValues) (initializer.Initializer, error) { return initializer.Eye{}, nil }},
	{"dirac", "identity convolution (3- to 5-D)", nil, func(initValues) (initializer.Initializer, error) { return initializer.Dirac{}, nil }},
	{"lecun_uniform", "U(±sqrt(3/fan_in))", nil, func(initValues) (initializer.Initializer, error) { return initializer.LeCunUniform{}, nil }},
	{"lecun_normal", "Keras: normal cut at 2σ, std sqrt(1/fan_in)", nil, func(initValues) (initializer.Initializer, error) {
		return initializer.LeCunNormal{}, nil
	}},
	{"xavier_uniform", "U(±gain·sqrt(6/(fan_in+fan_out)))", []initKey{{"gain", "1"}}, func(v initValues) (initializer.Initializer, error) {
		return initializer.XavierUniform{Gain: v.float("gain")}, v.err
	}},
	{"xavier_normal", "N(0, gain²·2/(fan_in+fan_out))", []initKey{{"gain", "1"}}, func(v initValues) (initializer.Initializer, error) {
		return initializer.XavierNormal{Gain: v.float("gain")}, v.err
	}},
	{"kaiming_uniform", "U(±gain·sqrt(3/fan))", kaimingKeys, func(v initValues) (initializer.Initializer, error) {
		return initializer.KaimingUniform{A: v.float("a"), Mode: v.mode(), Nonlinearity: v.nonlinearity()}, v.err
	}},
	{"kaiming_normal", "N(0, gain²/fan): He for ReLU", kaimingKeys, func(v initValues) (initializer.Initializer, error) {
		return initializer.KaimingNormal{A: v.float("a"), Mode: v.mode(), Nonlinearity: v.nonlinearity()}, v.err
	}},
	{"torch_default", "PyTorch's Linear/Conv default, U(±1/sqrt(fan_in))", nil, func(initValues) (initializer.Initializer, error) {
		return initializer.TorchDefault{}, nil
	}},
}

// initNames lists the scheme names in table order.
func initNames() []string {
	names := make([]string, len(initSchemes))
	for i, s := range initSchemes {
		names[i] = s.name
	}
	return names
}

// initFromFlags builds the scheme called name with the settings in set
// ("k=v,k2=v2"), PyTorch's defaults filling in the rest.
func initFromFlags(name, set string) (initializer.Initializer, error) {
	kv, err := parseKV(set)
	if err != nil {
		return nil, err
	}
	return initFromKV(name, kv)
}

func initFromKV(name string, kv []keyValue) (initializer.Initializer, error) {
	i := slices.IndexFunc(initSchemes, func(s initScheme) bool { return s.name == name })
	if i < 0 {
		return nil, fmt.Errorf("unknown init scheme %q; valid: %s", name, strings.Join(initNames(), ", "))
	}
	s := initSchemes[i]
	v := initValues{scheme: name, m: map[string]string{}}
	for _, k := range s.keys {
		v.m[k.name] = k.def
	}
	for _, p := range kv {
		if _, ok := v.m[p.Key]; !ok {
			return nil, fmt.Errorf("init scheme %s has no setting %q; %s", name, p.Key, s.validKeys())
		}
		v.m[p.Key] = p.Value
	}
	for _, k := range s.keys {
		if v.m[k.name] == "" {
			return nil, fmt.Errorf("init scheme %s needs %s=VALUE", name, k.name)
		}
	}
	return s.build(v)
}

// validKeys says which keys the scheme takes.
func (s initScheme) validKeys() string {
	if len(s.keys) == 0 {
		return "it takes no settings"
	}
	var b strings.Builder
	b.WriteString("valid keys: ")
	for i, k := range s.keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k.name)
		if k.def != "" {
			b.WriteString(" (default " + k.def + ")")
		}
	}
	return b.String()
}

// initValues holds one scheme's settings as strings and the first error
// met converting them, so that build functions read like struct literals.
type initValues struct {
	scheme string
	m      map[string]string
	err    error
}

func (v *initValues) fail(format string, args ...any) {
	if v.err == nil {
		v.err = fmt.Errorf("init scheme %s: "+format, append([]any{v.scheme}, args...)...)
	}
}

func (v *initValues) float(key string) float64 {
	f, err := strconv.ParseFloat(v.m[key], 64)
	if err != nil {
		v.fail("%s=%q is not a number", key, v.m[key])
	}
	return f
}

func (v *initValues) mode() initializer.Mode {
	switch v.m["mode"] {
	case "fan_in":
		return initializer.FanIn
	case "fan_out":
		return initializer.FanOut
	}
	v.fail("mode=%q; valid: fan_in, fan_out", v.m["mode"])
	return initializer.FanIn
}

func (v *initValues) nonlinearity() string {
	nl := v.m["nonlinearity"]
	if !slices.Contains(initializer.Nonlinearities, nl) {
		v.fail("nonlinearity=%q; valid: %s", nl, strings.Join(initializer.Nonlinearities, ", "))
	}
	return nl
}

// namedInit is a scheme together with the spec the user wrote for it, which
// labels it in CSV and pictures.
type namedInit struct {
	label string
	init  initializer.Initializer
}

// initListFromFlags parses a comma-separated list of schemes, each NAME or
// NAME(k=v,...), e.g. "torch_default,kaiming_normal(nonlinearity=relu)".
// The settings in set apply to every scheme of the list.
func initListFromFlags(list, set string) ([]namedInit, error) {
	common, err := parseKV(set)
	if err != nil {
		return nil, err
	}
	var out []namedInit
	for _, spec := range splitTop(list) {
		spec = strings.TrimSpace(spec)
		name, inner, hasArgs := strings.Cut(spec, "(")
		var kv []keyValue
		if hasArgs {
			if !strings.HasSuffix(inner, ")") {
				return nil, fmt.Errorf("malformed init %q: want NAME or NAME(k=v,...)", spec)
			}
			if kv, err = parseKV(strings.TrimSuffix(inner, ")")); err != nil {
				return nil, fmt.Errorf("init %q: %w", spec, err)
			}
		}
		init, err := initFromKV(strings.TrimSpace(name), append(kv, common...))
		if err != nil {
			return nil, err
		}
		out = append(out, namedInit{label: spec, init: init})
	}
	return out, nil
}

// initHelp is the table as help text: one line per scheme.
func initHelp() string {
	var b strings.Builder
	for _, s := range initSchemes {
		fmt.Fprintf(&b, "  %-16s %s", s.name, s.summary)
		if len(s.keys) > 0 {
			names := make([]string, len(s.keys))
			for i, k := range s.keys {
				names[i] = k.name
			}
			fmt.Fprintf(&b, " [%s]", strings.Join(names, ","))
		}
		b.WriteByte('\n')
	}
	return b.String()
}
