package main

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestLabBPTT(t *testing.T) {
	plot := filepath.Join(t.TempDir(), "bptt.png")
	out := labOut(t, "bptt", "--cell", "lstm", "--forget-bias", "3", "--steps", "5", "--hidden", "4", "--input", "3", "--batch", "2", "--plot", plot)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "step,grad_norm" || len(lines) != 6 || !strings.HasPrefix(lines[5], "5,") {
		t.Fatalf("descent lab bptt:\n%s", out)
	}
	if g, err := strconv.ParseFloat(strings.Split(lines[5], ",")[1], 64); err != nil || math.Abs(g-2) > 1e-9 {
		t.Errorf("g_T = %s, want sqrt(hidden) = 2 (dL/dh_T = 1)", lines[5])
	}
	if st, err := os.Stat(plot); err != nil || st.Size() < 1000 {
		t.Fatalf("--plot: %v", err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--cell", "transformer"}, `unknown cell "transformer"`},
		{[]string{"--cell", "gru", "--forget-bias", "1"}, "forget bias is for the lstm"},
		{[]string{"--init-hh", "zeros"}, `unknown --init-hh "zeros"`},
		{[]string{"--steps", "0"}, "--steps 0"},
		{[]string{"--cell", "gru", "--act", "relu"}, "rnn's nonlinearity"},
	} {
		var b bytes.Buffer
		err := runLab(&b, append([]string{"bptt"}, c.args...))
		var u *usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("descent lab bptt %v: %v, want a usage error containing %q", c.args, err, c.want)
		}
	}
}
