package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/descent-ml/descent/train"
)

// FuzzRunJSON feeds arbitrary bytes to the run.json reader of --resume: it
// must never panic, every error must name the file, and what it accepts
// must survive a write and a read unchanged.
// Seeds live in testdata/fuzz/FuzzRunJSON. Run:
// go test -run=^$ -fuzz=FuzzRunJSON -fuzztime=10s ./cmd/descent/
func FuzzRunJSON(f *testing.F) {
	good, _ := json.Marshal(train.RunInfo{Config: train.Defaults(), Command: []string{"descent", "train"}})
	f.Add(good)
	f.Add([]byte(`{"config":{"model":"mlp","epochs":"three"}}`))
	f.Add([]byte(`{"config":{}} trailing`))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := decodeRunInfo(b, "run.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "run.json: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		raw, err := json.Marshal(info)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeRunInfo(raw, "rewritten")
		if err != nil {
			t.Fatalf("cannot read back what was accepted: %v", err)
		}
		if !reflect.DeepEqual(info, again) {
			t.Fatalf("round trip changed %+v into %+v", info, again)
		}
	})
}

// decodeRunInfo reads run.json as --resume does: a ConfigError's message
// as the CLI prints it.
func decodeRunInfo(raw []byte, path string) (*train.RunInfo, error) {
	info, err := train.DecodeRunInfo(raw, path)
	return info, plainFlagErr(err)
}
