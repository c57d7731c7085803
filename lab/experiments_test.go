package lab

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// The flag tags of Act and Norm list the names the configs accept.
func TestFlagTagsListNames(t *testing.T) {
	for _, tc := range []struct {
		cfg        any
		field, tag string
		names      []string
		sep        string
	}{
		{VarianceConfig{}, "Act", "choices", Activations, ","},
		{VarianceConfig{}, "Norm", "help", VarianceNorms, ", "},
		{SymmetryConfig{}, "Act", "choices", Activations, ","},
	} {
		f, _ := reflect.TypeOf(tc.cfg).FieldByName(tc.field)
		if got := f.Tag.Get(tc.tag); !strings.HasSuffix(got, strings.Join(tc.names, tc.sep)) {
			t.Errorf("%T.%s: %s tag %q does not list %v", tc.cfg, tc.field, tc.tag, got, tc.names)
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
	if got := strings.Join(ExperimentNames(), ","); got != "variance,chain,symmetry,bptt" {
		t.Errorf("ExperimentNames() = %s", got)
	}
	if _, ok := FindExperiment("nope"); ok {
		t.Error("found an experiment that is not there")
	}
}
