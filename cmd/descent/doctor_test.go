package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/doctor"
)

// TestDoctorCatches runs the must-catch examples for real (on a
// few hundred MNIST images) and the default configuration, which must
// produce no finding. The findings are printed and stored in the run's
// diagnoses.txt.
func TestDoctorCatches(t *testing.T) {
	deep := "--hidden=256,256,256,256,256,256,256,256,256"
	for _, c := range []struct {
		name     string
		args     []string
		want     []string // substrings of the printed findings, in order
		diverges int      // 0 must not, 1 must, 2 may diverge
	}{
		{"default", nil, nil, 0},
		{"README autoencoder pretraining", []string{"--pretrain", "autoencoder"}, nil, 0},
		{"README sigmoid", []string{"--act", "sigmoid", "--schedule", "none", "--lr", "0.01", "--set", "momentum=0.9"}, nil, 0},
		{"10-layer sigmoid", []string{"--act", "sigmoid", deep}, []string{"diagnosis: vanishing-gradients: ", "×0.0", "layers 0, 2, 4"}, 0},
		{"10-layer ReLU, normal init", []string{"--init", "normal", deep}, []string{"diagnosis: exploding-gradients: ", "He initialization would use std sqrt(2/fan_in)"}, 1},
		{"SGD lr 10", []string{"--schedule", "none", "--lr", "10", "--set", "momentum=0"}, []string{"diagnosis: lr-too-high: "}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			var out bytes.Buffer
			fs := flag.NewFlagSet("descent", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			args := append([]string{"--limit", "512", "--epochs", "1", "--quiet", "--out", dir}, c.args...)
			err := runTrain(&out, fs, args)
			var ee *exitError
			if diverged := errors.As(err, &ee) && ee.code == exitDiverged; (c.diverges != 2 && diverged != (c.diverges == 1)) || (err != nil && !diverged) {
				t.Fatalf("err = %v, diverged %v, want %d (0 no, 1 yes, 2 either)\n%s", err, diverged, c.diverges, out.String())
			}
			got := out.String()
			lines := ""
			for _, l := range strings.SplitAfter(got, "\n") {
				if strings.HasPrefix(l, "diagnosis: ") {
					lines += l
				}
			}
			if c.want == nil && lines != "" {
				t.Errorf("false alarm:\n%s", lines)
			}
			rest := lines
			for _, w := range c.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("findings lack %q:\n%s", w, lines)
					break
				}
				rest = rest[i:]
			}
			stored, _ := os.ReadFile(filepath.Join(dir, doctor.File))
			if string(stored) != lines {
				t.Errorf("%s holds %q, printed %q", doctor.File, stored, lines)
			}
			t.Logf("%s", lines)
		})
	}
}
