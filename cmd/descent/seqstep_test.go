package main

import (
	"math"
	"path/filepath"
	"testing"
)

// TestSeqNetStepMatchesPyTorch: one training step of the LSTM SeqNet
// (hidden 16) from PyTorch's initial weights, on the first 128 training
// images as one batch, moves every weight as PyTorch's step does, for SGD
// (Nesterov momentum) and Adam, to float32 rounding. The goldens come from
// testdata/seqstep_golden.py. The updates (after minus before) are
// compared, not the weights, so that a gradient off by a factor cannot
// hide under the weights' size; each update may differ by the rounding of
// the weight it is added to plus 1e-4 of itself. For Adam, whose first
// step is lr*g/(|g|+eps), elements with |g| < 1e-5 (within 1000 eps of
// zero, where the step depends on the gradient's last bits) are skipped.
func TestSeqNetStepMatchesPyTorch(t *testing.T) {
	init := weightsOf(t, "testdata/seqstep_init.safetensors")
	golden := weightsOf(t, "testdata/seqstep_golden.safetensors")
	for _, c := range []struct {
		opt  string
		args []string
	}{
		{"sgd", []string{"--opt", "sgd", "--lr", "0.1", "--set", "momentum=0.9,nesterov=true"}},
		{"adam", []string{"--opt", "adam", "--lr", "0.01"}},
	} {
		dir := filepath.Join(t.TempDir(), "run")
		runIn(t, runTrain, append([]string{"--model", "lstm", "--hidden", "16", "--init-from", "testdata/seqstep_init.safetensors",
			"--limit", "128", "--batch", "128", "--epochs", "1", "--schedule", "none", "--quiet", "--out", dir}, c.args...)...)
		got := weightsOf(t, filepath.Join(dir, "model.safetensors"))
		if len(got) != len(init) {
			t.Fatalf("%s: %d tensors in model.safetensors, %d in the init file", c.opt, len(got), len(init))
		}
		checked := 0
		for name, before := range init {
			after, want, grad := got[name], golden[c.opt+"."+name], golden["grad."+name]
			if len(after) != len(before) || len(want) != len(before) || len(grad) != len(before) {
				t.Fatalf("%s: %s: sizes %d (descent), %d (PyTorch), %d (init)", c.opt, name, len(after), len(want), len(before))
			}
			bad := 0
			for i := range before {
				if c.opt == "adam" && math.Abs(float64(grad[i])) < 1e-5 {
					continue
				}
				checked++
				d := float64(after[i]) - float64(before[i])
				w := float64(want[i]) - float64(before[i])
				tol := 2*math.Abs(float64(before[i]))*0x1p-24 + 1e-4*math.Abs(w) + 1e-12
				if math.Abs(d-w) > tol {
					if bad++; bad <= 3 {
						t.Errorf("%s: %s[%d]: update %.9g, PyTorch's %.9g (from %.9g)", c.opt, name, i, d, w, before[i])
					}
				}
			}
		}
		if checked < 3000 {
			t.Errorf("%s: only %d elements compared", c.opt, checked)
		}
	}
}
