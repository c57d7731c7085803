package optim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kv"
)

// Config is an optimizer's typed configuration: a struct whose fields
// carry PyTorch's argument names as `kv` tags, checked by Validate (which
// every constructor calls).
type Config interface{ Validate() error }

// Entry is one row of the registry: an optimizer's name, a one-line
// summary, its defaults (a pointer to a fresh config struct holding
// PyTorch's defaults) and how to build it.
type Entry struct {
	Name, Summary string
	Defaults      func() Config
	Preset        bool // a named setting of another optimizer (momentum, nesterov)
	new32         func([]*autograd.Var[float32], Config) (Optimizer[float32], error)
	new64         func([]*autograd.Var[float64], Config) (Optimizer[float64], error)
}

// row makes an Entry from a defaults function and the constructor.
func row[C Config, PC interface {
	*C
	Config
}, O32 Optimizer[float32], O64 Optimizer[float64]](name, summary string, defaults func() C,
	n32 func([]*autograd.Var[float32], C) (O32, error), n64 func([]*autograd.Var[float64], C) (O64, error)) Entry {
	return Entry{Name: name, Summary: summary,
		Defaults: func() Config { c := defaults(); return PC(&c) },
		new32: func(p []*autograd.Var[float32], c Config) (Optimizer[float32], error) {
			o, err := n32(p, *(*C)(c.(PC)))
			if err != nil {
				return nil, err
			}
			return o, nil
		},
		new64: func(p []*autograd.Var[float64], c Config) (Optimizer[float64], error) {
			o, err := n64(p, *(*C)(c.(PC)))
			if err != nil {
				return nil, err
			}
			return o, nil
		}}
}

func momentumPreset(nesterov bool) func() SGDConfig {
	return func() SGDConfig { c := SGDDefaults(); c.Momentum, c.Nesterov = 0.9, nesterov; return c }
}

// registry lists the optimizers in the lecture's order; Lookahead, which
// wraps another, is handled by New.
var registry = []Entry{
	row("sgd", "SGD, with optional (Nesterov) momentum (Robbins & Monro 1951; Polyak 1964)", SGDDefaults, NewSGD[float32], NewSGD[float64]),
	row("adagrad", "Adagrad (Duchi, Hazan & Singer 2011)", AdagradDefaults, NewAdagrad[float32], NewAdagrad[float64]),
	row("rmsprop", "RMSprop (Tieleman & Hinton 2012)", RMSpropDefaults, NewRMSprop[float32], NewRMSprop[float64]),
	row("adadelta", "Adadelta (Zeiler 2012)", AdadeltaDefaults, NewAdadelta[float32], NewAdadelta[float64]),
	row("adam", "Adam, with optional AMSGrad (Kingma & Ba 2014)", AdamDefaults, NewAdam[float32], NewAdam[float64]),
	row("adamw", "AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2017)", AdamWDefaults, NewAdamW[float32], NewAdamW[float64]),
	row("adamax", "Adamax: Adam in the infinity norm (Kingma & Ba 2014)", AdamaxDefaults, NewAdamax[float32], NewAdamax[float64]),
	row("nadam", "NAdam: Adam with Nesterov momentum (Dozat 2016)", NAdamDefaults, NewNAdam[float32], NewNAdam[float64]),
	row("radam", "RAdam: rectified Adam (Liu et al. 2020)", RAdamDefaults, NewRAdam[float32], NewRAdam[float64]),
	preset(row("momentum", "SGD with momentum 0.9", momentumPreset(false), NewSGD[float32], NewSGD[float64])),
	preset(row("nesterov", "SGD with Nesterov momentum 0.9", momentumPreset(true), NewSGD[float32], NewSGD[float64])),
}

func preset(e Entry) Entry { e.Preset = true; return e }

// Names returns the optimizers New builds, in the lecture's order, without
// the presets, and "lookahead" last.
func Names() []string {
	var names []string
	for _, e := range registry {
		if !e.Preset {
			names = append(names, e.Name)
		}
	}
	return append(names, "lookahead")
}

// Lookup returns the registry row of name (an optimizer or a preset);
// false for "lookahead", which wraps another optimizer.
func Lookup(name string) (Entry, bool) {
	i := slices.IndexFunc(registry, func(e Entry) bool { return e.Name == name })
	if i < 0 {
		return Entry{}, false
	}
	return registry[i], true
}

// Keys returns the settings an optimizer takes (PyTorch's argument names).
// Lookahead's are inner, k, alpha, inner.KEY and every key of the inner
// optimizer.
func Keys(name string) []string {
	if name == "lookahead" {
		return []string{"inner", "k", "alpha", "inner.KEY", "any key of the inner optimizer"}
	}
	e, ok := Lookup(name)
	if !ok {
		return nil
	}
	return kv.Keys(e.Defaults())
}

// New builds the optimizer called name over params from PyTorch's
// defaults and settings, "k=v,k=v" with PyTorch's argument names (betas
// as beta1 and beta2, or betas=(b1,b2); booleans true or false):
//
//	opt, err := optim.New("adam", params, "lr=3e-4,betas=(0.9,0.99)")
//
// "lookahead" takes k and alpha (LookaheadConfig), inner (the wrapped
// optimizer, default sgd) and passes inner.KEY and any other key to the
// inner optimizer. Errors name the bad key and list the valid ones.
func New[T Float](name string, params []*autograd.Var[T], settings string) (Optimizer[T], error) {
	pairs, err := kv.Split(settings)
	if err != nil {
		return nil, err
	}
	return Build(name, params, pairs)
}

// Build is New with the settings already split into pairs.
func Build[T Float](name string, params []*autograd.Var[T], pairs []kv.Pair) (Optimizer[T], error) {
	if name == "lookahead" {
		return buildLookahead(params, pairs)
	}
	e, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown optimizer %q; valid optimizers: %s", name, strings.Join(Names(), ", "))
	}
	cfg := e.Defaults()
	if err := kv.Apply(pairs, cfg); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	switch ps := any(params).(type) {
	case []*autograd.Var[float32]:
		o, err := e.new32(ps, cfg)
		if err != nil {
			return nil, err
		}
		return any(o).(Optimizer[T]), nil
	default:
		o, err := e.new64(any(params).([]*autograd.Var[float64]), cfg)
		if err != nil {
			return nil, err
		}
		return any(o).(Optimizer[T]), nil
	}
}

// buildLookahead: inner (default sgd), k and alpha configure Lookahead;
// inner.KEY and every other key go to the inner optimizer.
func buildLookahead[T Float](params []*autograd.Var[T], pairs []kv.Pair) (Optimizer[T], error) {
	cfg := LookaheadDefaults()
	innerName := "sgd"
	var own, inner []kv.Pair
	for _, p := range pairs {
		switch {
		case p.Key == "inner":
			innerName = p.Value
		case p.Key == "k" || p.Key == "alpha":
			own = append(own, p)
		case strings.HasPrefix(p.Key, "inner."):
			inner = append(inner, kv.Pair{Key: strings.TrimPrefix(p.Key, "inner."), Value: p.Value})
		default:
			inner = append(inner, p)
		}
	}
	if err := kv.Apply(own, &cfg); err != nil {
		return nil, fmt.Errorf("lookahead: %v", err)
	}
	if innerName == "lookahead" {
		names := Names()
		return nil, fmt.Errorf("lookahead: inner must be another optimizer; valid: %s", strings.Join(names[:len(names)-1], ", "))
	}
	in, err := Build(innerName, params, inner)
	if err != nil {
		return nil, fmt.Errorf("lookahead: inner %w", err)
	}
	return NewLookahead(in, cfg)
}
