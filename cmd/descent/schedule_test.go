package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestScheduleGolden runs `descent schedule` for every case of the
// schedule package's PyTorch goldens and compares the CSV.
func TestScheduleGolden(t *testing.T) {
	b, err := os.ReadFile("../../optim/schedule/testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []struct {
			Name     string
			LR       float64
			Steps    int
			Settings map[string]any
			LRs      []float64
		}
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	exact, total := 0, 0
	for _, c := range g.Cases {
		var set []string
		for k, v := range c.Settings {
			s := fmt.Sprint(v)
			if l, ok := v.([]any); ok {
				var parts []string
				for _, x := range l {
					parts = append(parts, fmt.Sprint(x))
				}
				s = "[" + strings.Join(parts, ",") + "]"
			}
			set = append(set, k+"="+s)
		}
		args := []string{"--name", c.Name, "--lr", formatFloat(c.LR), "--steps", strconv.Itoa(c.Steps), "--set", strings.Join(set, ",")}
		out, err := runCmd(t, runSchedule, args...)
		if err != nil {
			t.Fatalf("descent schedule %v: %v", args, err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if lines[0] != "step,lr" || len(lines) != c.Steps+1 {
			t.Fatalf("descent schedule %v: header %q, %d lines", args, lines[0], len(lines))
		}
		peak := 0.0
		for _, v := range c.LRs {
			peak = max(peak, v)
		}
		for i, line := range lines[1:] {
			want := strconv.Itoa(i) + "," + formatFloat(c.LRs[i])
			total++
			if line == want {
				exact++
				continue
			}
			got, _ := strconv.ParseFloat(strings.Split(line, ",")[1], 64)
			if math.Abs(got-c.LRs[i]) > 1e-15*peak {
				t.Fatalf("descent schedule %v: row %q, PyTorch %q", args, line, want)
			}
		}
	}
	t.Logf("%d of %d rows identical to PyTorch's", exact, total)
}

// TestScheduleUsageErrors: bad names, keys and lengths are usage errors.
func TestScheduleUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{}, "--name is required; valid schedules: constant, step, multistep, exponential, cosine, cyclic, onecycle"},
		{[]string{"--name", "linear"}, `unknown schedule "linear"`},
		{[]string{"--name", "step"}, "step_size is required"},
		{[]string{"--name", "step", "--set", "step_size=2,gama=0.5"}, "valid settings: step_size, gamma, warmup, warmup_start_factor"},
		{[]string{"--name", "multistep", "--set", "milestones=[5,x]"}, "malformed integer"},
		{[]string{"--name", "cyclic", "--set", "max_lr=1,mode=sine"}, "valid modes: triangular, triangular2, exp_range"},
		{[]string{"--name", "onecycle", "--steps", "20", "--set", "total_steps=10"}, "go past total_steps 10"},
		{[]string{"--name", "onecycle", "--steps", "20", "--set", "warmup=20"}, "warmup=20 leaves none of the 20 steps"},
		{[]string{"--name", "cosine", "--steps", "20", "--set", "warmup=25"}, "warmup=25 leaves none of the 20 steps"},
		{[]string{"--name", "cyclic", "--set", "max_lr=1,step_size_down=-1"}, "step_size_down must be >= 0"},
		{[]string{"--name", "cosine", "--set", "warmup=3,warmup_start_factor=0"}, "start factor must be in (0, 1]"},
		{[]string{"--name", "constant", "--steps", "0"}, "--steps must be positive"},
		{[]string{"--name", "constant", "--plot", "lr.bmp"}, "image format"},
	}
	for _, c := range cases {
		_, err := runCmd(t, runSchedule, c.args...)
		var ue *usageError
		if err == nil || !strings.Contains(err.Error(), c.want) || !asUsage(err, &ue) {
			t.Errorf("descent schedule %v: error %v; want a usage error containing %q", c.args, err, c.want)
		}
	}
}

// TestSchedulePlot writes the picture.
func TestSchedulePlot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lr.png")
	if _, err := runCmd(t, runSchedule, "--name", "onecycle", "--lr", "0.1", "--steps", "50", "--plot", path); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() < 1000 {
		t.Errorf("%s not written: %v", path, err)
	}
}
