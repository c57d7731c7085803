// Package cliflag declares command-line flags from a library's config
// struct, so that a command names each setting once, beside the config
// the library takes, instead of a flag variable plus a copy into the
// config.
//
// A field becomes a flag when it carries a `flag:"name"` tag; `help:"..."`
// is its usage line, `range:"lo,hi"` (integers) the values Check accepts,
// and `choices:"a,b,c"` (strings) the values Check accepts, listed at the
// end of the usage line ("activation: a, b, c"):
//
//	type ChainConfig struct {
//		Scale float64 `flag:"scale" help:"the diagonal c of every W_i"`
//		Depth int     `flag:"depth" help:"number of matrices D" range:"1,10000"`
//	}
//
// Field types: string, int, uint64, float64 and bool, parsed as the flag
// package parses them.
package cliflag

import (
	"flag"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Bind defines a flag on fs for every field of the struct *cfg that has a
// flag tag, or with only, for the fields whose flags it names. A flag's
// default is the field's value when Bind is called: fill cfg with the
// library's defaults first.
func Bind(fs *flag.FlagSet, cfg any, only ...string) {
	v := structValue(cfg)
	for i := range v.NumField() {
		sf := v.Type().Field(i)
		name, ok := sf.Tag.Lookup("flag")
		if !ok || len(only) > 0 && !slices.Contains(only, name) {
			continue
		}
		help := sf.Tag.Get("help")
		if c, ok := sf.Tag.Lookup("choices"); ok {
			help += ": " + strings.ReplaceAll(c, ",", ", ")
		}
		switch p := v.Field(i).Addr().Interface().(type) {
		case *string:
			fs.StringVar(p, name, *p, help)
		case *int:
			fs.IntVar(p, name, *p, help)
		case *uint64:
			fs.Uint64Var(p, name, *p, help)
		case *float64:
			fs.Float64Var(p, name, *p, help)
		case *bool:
			fs.BoolVar(p, name, *p, help)
		default:
			panic(fmt.Sprintf("cliflag: field %s of %T has unsupported type %s", sf.Name, cfg, sf.Type))
		}
	}
}

// Check returns a one-line error naming the flag, "--depth 0: must be
// between 1 and 1000" or `--act "x": valid: a, b`, for the first field of
// *cfg (or cfg) outside its range or choices tag; nil when all are inside.
func Check(cfg any) error {
	v := reflect.ValueOf(cfg)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	for i := range v.NumField() {
		sf := v.Type().Field(i)
		if c, ok := sf.Tag.Lookup("choices"); ok && !slices.Contains(strings.Split(c, ","), v.Field(i).String()) {
			return fmt.Errorf("--%s %q: valid: %s", sf.Tag.Get("flag"), v.Field(i).String(), strings.ReplaceAll(c, ",", ", "))
		}
		r, ok := sf.Tag.Lookup("range")
		if !ok {
			continue
		}
		lo, hi := parseRange(sf, r)
		if x := v.Field(i).Int(); x < lo || x > hi {
			return fmt.Errorf("--%s %d: must be between %d and %d", sf.Tag.Get("flag"), x, lo, hi)
		}
	}
	return nil
}

func parseRange(sf reflect.StructField, r string) (lo, hi int64) {
	a, b, ok := strings.Cut(r, ",")
	lo, err1 := strconv.ParseInt(a, 10, 64)
	hi, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || sf.Type.Kind() != reflect.Int {
		panic(fmt.Sprintf("cliflag: field %s: range tag %q wants lo,hi on an int", sf.Name, r))
	}
	return lo, hi
}

func structValue(cfg any) reflect.Value {
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("cliflag: want a pointer to a config struct, got %T", cfg))
	}
	return v.Elem()
}
