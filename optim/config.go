package optim

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Keys returns the PyTorch argument names of a config struct (the `opt`
// tags of its fields, in declaration order): "lr", "momentum", ...
// Adam's betas are two keys, beta1 and beta2.
func Keys(cfg any) []string {
	t := reflect.TypeOf(cfg)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var keys []string
	for i := range t.NumField() {
		if k := t.Field(i).Tag.Get("opt"); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// Set sets the field of the config struct *cfg whose PyTorch argument
// name is key, parsing value as the field's type (a number, or true/false
// for a flag). It is how command lines and files configure optimizers
// with PyTorch's names; an unknown key is an error listing the valid ones.
func Set(cfg any, key, value string) error {
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic("optim: Set needs a pointer to a config struct")
	}
	v = v.Elem()
	for i := range v.NumField() {
		if v.Type().Field(i).Tag.Get("opt") != key {
			continue
		}
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Float64:
			x, err := strconv.ParseFloat(value, 64)
			if err != nil {
				return fmt.Errorf("%s: malformed number %q", key, value)
			}
			f.SetFloat(x)
		case reflect.Int:
			x, err := strconv.Atoi(value)
			if err != nil {
				return fmt.Errorf("%s: malformed integer %q", key, value)
			}
			f.SetInt(int64(x))
		case reflect.Bool:
			switch value {
			case "true":
				f.SetBool(true)
			case "false":
				f.SetBool(false)
			default:
				return fmt.Errorf("%s: want true or false, got %q", key, value)
			}
		default:
			panic("optim: unsupported config field kind " + f.Kind().String())
		}
		return nil
	}
	return fmt.Errorf("unknown setting %q; valid settings: %s", key, strings.Join(Keys(cfg), ", "))
}
