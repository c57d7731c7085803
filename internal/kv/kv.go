// Package kv decodes "key=value,key=value" settings, the form of every
// --set-style flag, into typed config structs.
//
// A config is a struct whose settable fields carry a `kv:"name"` tag with
// the setting's name (PyTorch's argument name where there is one):
//
//	type Config struct {
//		LR       float64 `kv:"lr"`
//		Nesterov bool    `kv:"nesterov"`
//		Steps    []int   `kv:"milestones"`
//		MaxNorm  float64 `kv:"max_norm,nonfinite"`
//	}
//
// Field types: float64, int, bool (true or false), string, []int and
// []float64 (written [1,2] or (1,2); a single value needs no brackets).
// Numbers must be finite unless the tag says nonfinite. Tag option
// list=NAME groups consecutive scalar fields under one more key that sets
// them all from a list: Adam's beta1 and beta2 tagged list=betas also take
// betas=(0.9,0.999), PyTorch's spelling. Errors name the key and, for an
// unknown key, list the valid ones.
package kv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Pair is one key=value setting.
type Pair struct{ Key, Value string }

// Split parses "k=v,k2=v2" into pairs. Values may not contain commas
// except inside brackets: "milestones=[30,80]" is one pair. A key given
// twice is an error; an empty or blank string gives no pairs.
func Split(s string) ([]Pair, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []Pair
	for _, part := range SplitList(s) {
		k, v, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("malformed setting %q: want key=value", part)
		}
		for _, prev := range out {
			if prev.Key == k {
				return nil, fmt.Errorf("setting %q given twice", k)
			}
		}
		out = append(out, Pair{k, strings.TrimSpace(v)})
	}
	return out, nil
}

// SplitList splits a list on the commas that are not inside brackets:
// "normal(mean=0,std=1),zeros" is two items. It is how k=v strings are
// split, and how the CLI splits lists whose items carry settings.
func SplitList(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// Ints parses a plain comma-separated list of integers, "256,784": the
// value of a list flag such as --hidden or --shape.
func Ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("malformed integer %q", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// Floats parses a plain comma-separated list of numbers, "0.1,1e-3";
// unlike a setting's number, inf and nan are accepted.
func Floats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, fmt.Errorf("malformed number %q", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// Decode sets the fields of the config struct *cfg named in s
// ("k=v,k=v"); fields not named keep their values (the defaults).
func Decode(s string, cfg any) error {
	pairs, err := Split(s)
	if err != nil {
		return err
	}
	return Apply(pairs, cfg)
}

// Apply sets the fields of *cfg named by pairs, in order.
func Apply(pairs []Pair, cfg any) error {
	for _, p := range pairs {
		if err := Set(cfg, p.Key, p.Value); err != nil {
			return err
		}
	}
	return nil
}

// tag is a parsed `kv` struct tag.
type tag struct {
	name, list string
	nonfinite  bool
}

func parseTag(f reflect.StructField) (tag, bool) {
	s, ok := f.Tag.Lookup("kv")
	if !ok || s == "" || s == "-" {
		return tag{}, false
	}
	parts := strings.Split(s, ",")
	t := tag{name: parts[0]}
	for _, o := range parts[1:] {
		switch {
		case o == "nonfinite":
			t.nonfinite = true
		case strings.HasPrefix(o, "list="):
			t.list = strings.TrimPrefix(o, "list=")
		default:
			panic("kv: unknown tag option " + strconv.Quote(o) + " on field " + f.Name)
		}
	}
	return t, true
}

// fields returns the tagged fields of the struct *cfg.
func fields(cfg any) (reflect.Value, []int, []tag) {
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("kv: want a pointer to a config struct, got %T", cfg))
	}
	v = v.Elem()
	var idx []int
	var tags []tag
	for i := range v.NumField() {
		if t, ok := parseTag(v.Type().Field(i)); ok {
			idx, tags = append(idx, i), append(tags, t)
		}
	}
	return v, idx, tags
}

// Set sets the field of *cfg whose tag names key, parsing value by the
// field's type. An unknown key is an error that lists the valid keys.
func Set(cfg any, key, value string) error {
	v, idx, tags := fields(cfg)
	var group []reflect.Value
	for j, t := range tags {
		if t.name == key {
			return setField(v.Field(idx[j]), t, value)
		}
		if t.list == key {
			group = append(group, v.Field(idx[j]))
		}
	}
	if group != nil {
		items := listItems(value)
		if len(items) != len(group) {
			return fmt.Errorf("%s: want %d values, got %q; valid settings: %s", key, len(group), value, strings.Join(Keys(cfg), ", "))
		}
		for j, f := range group {
			if err := setField(f, tag{name: key}, items[j]); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown setting %q; valid settings: %s", key, strings.Join(Keys(cfg), ", "))
}

// listItems splits "[a,b]", "(a,b)" or "a,b" into its items.
func listItems(s string) []string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '[' && s[len(s)-1] == ']' || s[0] == '(' && s[len(s)-1] == ')') {
		s = s[1 : len(s)-1]
	}
	if strings.TrimSpace(s) == "" {
		return nil
	}
	items := strings.Split(s, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	return items
}

func setField(f reflect.Value, t tag, value string) error {
	switch f.Kind() {
	case reflect.Float64:
		x, err := parseFloat(t, value)
		if err != nil {
			return err
		}
		f.SetFloat(x)
	case reflect.Int:
		x, err := strconv.Atoi(value)
		if err != nil {
			return fmt.Errorf("%s: malformed integer %q", t.name, value)
		}
		f.SetInt(int64(x))
	case reflect.Bool:
		switch value {
		case "true":
			f.SetBool(true)
		case "false":
			f.SetBool(false)
		default:
			return fmt.Errorf("%s: want true or false, got %q", t.name, value)
		}
	case reflect.String:
		f.SetString(value)
	case reflect.Slice:
		items := listItems(value)
		s := reflect.MakeSlice(f.Type(), len(items), len(items))
		for i, it := range items {
			if err := setField(s.Index(i), t, it); err != nil {
				return err
			}
		}
		f.Set(s)
	default:
		panic("kv: unsupported field type " + f.Type().String())
	}
	return nil
}

func parseFloat(t tag, value string) (float64, error) {
	x, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: malformed number %q", t.name, value)
	}
	if !t.nonfinite && (math.IsNaN(x) || math.IsInf(x, 0)) {
		return 0, fmt.Errorf("%s: %v is not a finite number", t.name, value)
	}
	return x, nil
}

// Keys returns the keys of the config struct *cfg (or cfg), in field
// order; list keys (betas) are not repeated.
func Keys(cfg any) []string {
	t := reflect.TypeOf(cfg)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var keys []string
	for i := range t.NumField() {
		if tg, ok := parseTag(t.Field(i)); ok {
			keys = append(keys, tg.name)
		}
	}
	return keys
}

// Format writes the config struct *cfg (or cfg) as "k=v,k=v" with every
// key, in field order, in the form Decode reads back: numbers in their
// shortest exact form, lists in brackets.
func Format(cfg any) string {
	v := reflect.ValueOf(cfg)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	var b strings.Builder
	for i := range v.NumField() {
		t, ok := parseTag(v.Type().Field(i))
		if !ok {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(t.name + "=" + formatValue(v.Field(i)))
	}
	return b.String()
}

func formatValue(f reflect.Value) string {
	switch f.Kind() {
	case reflect.Float64:
		return strconv.FormatFloat(f.Float(), 'g', -1, 64)
	case reflect.Int:
		return strconv.FormatInt(f.Int(), 10)
	case reflect.Bool:
		return strconv.FormatBool(f.Bool())
	case reflect.String:
		return f.String()
	case reflect.Slice:
		items := make([]string, f.Len())
		for i := range items {
			items[i] = formatValue(f.Index(i))
		}
		return "[" + strings.Join(items, ",") + "]"
	}
	panic("kv: unsupported field type " + f.Type().String())
}

// JSON writes the config struct *cfg (or cfg) as a JSON object whose keys
// are the settings' names, in field order, every key present: the
// resolved form a run records. Non-finite numbers, which JSON cannot
// hold, are written as the strings "NaN", "+Inf" and "-Inf".
func JSON(cfg any) json.RawMessage {
	v := reflect.ValueOf(cfg)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i := range v.NumField() {
		t, ok := parseTag(v.Type().Field(i))
		if !ok {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(t.name)
		b.Write(k)
		b.WriteByte(':')
		b.Write(jsonValue(v.Field(i)))
	}
	b.WriteByte('}')
	return b.Bytes()
}

func jsonValue(f reflect.Value) []byte {
	if f.Kind() == reflect.Float64 && (math.IsNaN(f.Float()) || math.IsInf(f.Float(), 0)) {
		s, _ := json.Marshal(formatValue(f))
		return s
	}
	if f.Kind() == reflect.Slice && f.IsNil() {
		return []byte("[]")
	}
	s, err := json.Marshal(f.Interface())
	if err != nil {
		panic("kv: " + err.Error())
	}
	return s
}
