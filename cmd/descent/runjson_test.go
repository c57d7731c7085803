package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunJSONResolved (issue 15 item 1): run.json records the typed
// configurations the run was built from, every default filled in, keyed
// by PyTorch's argument names, and the run resumes from it.
func TestRunJSONResolved(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	args := append([]string{"train"}, tinyRun(dir, "--opt", "adam", "--set", "amsgrad=true", "--schedule", "step",
		"--schedule-set", "step_size=1,warmup=1", "--init", "xavier_normal", "--lookahead", "k=3")...)
	if code, _, msg := cli(args...); code != 0 {
		t.Fatalf("exit %d: %s", code, msg)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Resolved map[string]map[string]any `json:"resolved"`
	}
	if err := json.Unmarshal(raw, &info); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]any{
		"model":       {"model": "mlp", "act": "relu", "norm": "none", "classes": 10.0},
		"optimizer":   {"name": "adam", "lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0, "amsgrad": true},
		"lookahead":   {"k": 3.0, "alpha": 0.5},
		"schedule":    {"name": "step", "step_size": 1.0, "gamma": 0.1, "warmup": 1.0, "warmup_start_factor": 1.0 / 3},
		"initializer": {"name": "xavier_normal", "gain": 1.0},
	}
	if h, _ := info.Resolved["model"]["hidden"].([]any); len(h) != 1 || h[0] != 16.0 {
		t.Errorf("resolved.model.hidden = %v, want [16]", info.Resolved["model"]["hidden"])
	}
	for part, keys := range want {
		for k, v := range keys {
			if got := info.Resolved[part][k]; got != v {
				t.Errorf("resolved.%s.%s = %v, want %v (run.json: %s)", part, k, got, v, raw)
			}
		}
	}
	if code, _, msg := cli("train", "--resume", dir, "--quiet"); code != 0 {
		t.Errorf("resume: exit %d: %s", code, msg)
	}
}

// TestResumeOldRunJSON: a run.json in the format before the resolved
// configurations (settings only as the flags' strings, e.g. "set":
// "momentum=0.9,nesterov=true") still resumes: the run it describes
// starts, since it has no checkpoint, and finishes.
func TestResumeOldRunJSON(t *testing.T) {
	raw, err := os.ReadFile("testdata/run-v0.1.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "run.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	var code int
	var msg string
	out := captureStdout(t, func() { code, _, msg = cli("train", "--resume", dir, "--quiet") })
	if code != 0 {
		t.Fatalf("resume of an old run.json: exit %d: %s", code, msg)
	}
	if !strings.Contains(out, "test accuracy") {
		t.Errorf("resume of an old run.json did not finish: %s", out)
	}
	for _, f := range []string{"model.safetensors", "metrics.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}
