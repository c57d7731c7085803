package main

import (
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestGradcheckRecurrentModels: descent gradcheck --model rnn|lstm|gru
// checks the SeqNet's parameters (rnn.*, fc.*) and passes.
func TestGradcheckRecurrentModels(t *testing.T) {
	for _, model := range []string{"rnn", "lstm", "gru"} {
		if model != "rnn" && testing.Short() {
			continue
		}
		out, err := runGradcheckArgs(t, "--model", model, "--samples", "2", "--batch", "1", "--seed", "4")
		if err != nil {
			t.Fatalf("%s: %v\n%s", model, err, out)
		}
		for _, want := range []string{"rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "fc.weight", "fc.bias", "all 6 parameters PASS"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: no %q in\n%s", model, want, out)
			}
		}
	}
}

// TestGraphLSTM: descent graph --model lstm draws the unrolled graph: 28
// steps of the cell, their outputs gathered by one Stack.
func TestGraphLSTM(t *testing.T) {
	out, err := runGraphArgs(t, "--model", "lstm", "--batch", "1", "--grads")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, `label="Select`); n < 28 {
		t.Errorf("%d Select nodes, want one per step (28) at least", n)
	}
	for _, want := range []string{`label="Stack`, "rnn.weight_hh_l0", "fc.weight", "‖∇‖="} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the graph", want)
		}
	}
}

// TestGuardedFlags: the configuration reads layers 0 and test_split 0 as
// "not set" (one layer, a fifth held out), so train, lr-find and compare
// refuse an explicit 0 (and other values out of range) when they parse it
// instead of training something else than asked.
func TestGuardedFlags(t *testing.T) {
	commands := map[string]func(io.Writer, *flag.FlagSet, []string) error{"train": runTrain, "lr-find": runLRFind, "compare": runCompare}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--model", "lstm", "--layers", "0"}, "want 1 to 64 layers"},
		{[]string{"--model", "lstm", "--layers", "-1"}, "want 1 to 64 layers"},
		{[]string{"--model", "gru", "--layers", "65"}, "want 1 to 64 layers"},
		{[]string{"--test-split", "0"}, "want a fraction between 0 and 1"},
		{[]string{"--test-split", "1"}, "want a fraction between 0 and 1"},
	}
	for name, run := range commands {
		for _, c := range cases {
			// --out: a refusal that did not happen must not write runs/ here.
			_, err := runCmd(t, run, append(c.args, "--limit", "64", "--out", filepath.Join(t.TempDir(), "out"))...)
			var ue *usageError
			if err == nil || !asUsage(err, &ue) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("descent %s %v: error %v; want a usage error containing %q", name, c.args, err, c.want)
			}
		}
	}
}

// TestEvalTakesActFromRun: the weights do not record an rnn's
// nonlinearity; eval takes it from the run.json beside them (with a note)
// and so gives the run's own test accuracy, unless --act is given.
func TestEvalTakesActFromRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	out := runIn(t, runTrain, "--model", "rnn", "--act", "relu", "--hidden", "16", "--limit", "64", "--epochs", "1", "--quiet", "--out", dir)
	acc := lastLine.FindString(out)
	weights := filepath.Join(dir, "model.safetensors")
	ev := runIn(t, runEval, "--model", "rnn", "--weights", weights, "--limit", "64")
	if !strings.Contains(ev, "note: --act relu, from") || !strings.HasSuffix(ev, strings.TrimPrefix(acc, "\n")) {
		t.Errorf("eval without --act:\n%s\nwant the note and the run's%s", ev, acc)
	}
	if ev := runIn(t, runEval, "--model", "rnn", "--act", "tanh", "--weights", weights, "--limit", "64"); strings.Contains(ev, "note:") {
		t.Errorf("eval --act tanh took the run's: %s", ev)
	}
}
