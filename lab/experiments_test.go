package lab

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// The flag help of Act and Norm lists the names the configs accept.
func TestFlagHelpListsNames(t *testing.T) {
	for _, tc := range []struct {
		cfg   any
		field string
		names []string
	}{
		{VarianceConfig{}, "Act", Activations},
		{VarianceConfig{}, "Norm", VarianceNorms},
		{SymmetryConfig{}, "Act", Activations},
	} {
		f, _ := reflect.TypeOf(tc.cfg).FieldByName(tc.field)
		if help := f.Tag.Get("help"); !strings.HasSuffix(help, ": "+strings.Join(tc.names, ", ")) {
			t.Errorf("%T.%s: help %q does not list %v", tc.cfg, tc.field, help, tc.names)
		}
	}
}

// Every row's Config holds the defaults and Run runs the experiment it
// names.
func TestExperiments(t *testing.T) {
	want := map[string]any{"variance": &DefaultVariance, "chain": &DefaultChain, "symmetry": &DefaultSymmetry, "bptt": &DefaultBPTT}
	for _, e := range Experiments {
		if cfg := e.Config(); !reflect.DeepEqual(cfg, want[e.Name]) {
			t.Errorf("%s: Config() = %+v", e.Name, cfg)
		}
	}
	e, ok := FindExperiment("chain")
	if !ok {
		t.Fatal("chain not found")
	}
	res, err := e.Run(e.Config())
	var got, direct bytes.Buffer
	rows, _ := Chain(DefaultChain)
	if err != nil || res.CSV(&got) != nil || WriteChainCSV(&direct, rows) != nil || got.String() != direct.String() {
		t.Errorf("chain: %v\n%s\nwant\n%s", err, got.String(), direct.String())
	}
	if _, ok := FindExperiment("nope"); ok {
		t.Error("found an experiment that is not there")
	}
}
