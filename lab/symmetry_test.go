package lab

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSymmetry: zeros and a constant leave one distinct unit per hidden
// layer and do no better than chance-ish; kaiming keeps every unit
// distinct and learns the task.
func TestSymmetry(t *testing.T) {
	cfg := DefaultSymmetry
	cfg.Hidden = []int{8, 8}
	cfg.Samples = 128
	if testing.Short() {
		cfg.Steps = 600
	}
	res, err := Symmetry(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		t.Logf("%s: distinct %v of %v, accuracy %.3f, loss %.4f -> %.4f", r.Init, r.Distinct, r.Units, r.Accuracy, r.Loss[0], r.Loss[len(r.Loss)-1])
	}
	zeros, constant, he := res[0], res[1], res[2]
	for _, r := range []SymmetryResult{zeros, constant} {
		if !slices.Equal(r.Distinct, []int{1, 1}) || r.Accuracy > 0.8 {
			t.Errorf("%s: %v distinct units, accuracy %.3f; want 1 per layer and a failed task", r.Init, r.Distinct, r.Accuracy)
		}
	}
	if !slices.Equal(he.Distinct, []int{8, 8}) || he.Accuracy < 0.9 {
		t.Errorf("kaiming: %v distinct units, accuracy %.3f; want all 8 and >= 0.9", he.Distinct, he.Accuracy)
	}
	var b bytes.Buffer
	WriteSymmetryCSV(&b, res)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if lines[0] != "init,layer,units,distinct_units,accuracy,final_loss" || len(lines) != 7 || !strings.HasPrefix(lines[1], "zeros,1,8,1,") {
		t.Errorf("CSV:\n%s", b.String())
	}
	if err := PlotSymmetry(filepath.Join(t.TempDir(), "s.png"), cfg, res); err != nil {
		t.Error(err)
	}
}

func TestSymmetryErrors(t *testing.T) {
	for _, mod := range []func(*SymmetryConfig){
		func(c *SymmetryConfig) { c.Inits = nil },
		func(c *SymmetryConfig) { c.Hidden = []int{4, 0} },
		func(c *SymmetryConfig) { c.LR = 0 },
		func(c *SymmetryConfig) { c.Act = "swish" },
	} {
		cfg := DefaultSymmetry
		mod(&cfg)
		if _, err := Symmetry(cfg); err == nil {
			t.Errorf("Symmetry(%+v): no error", cfg)
		}
	}
}
