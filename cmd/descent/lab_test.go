package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/descent-ml/descent/lab"
)

func labOut(t *testing.T, args ...string) string {
	t.Helper()
	var b bytes.Buffer
	if err := runLab(&b, args); err != nil {
		t.Fatalf("descent lab %v: %v", args, err)
	}
	return b.String()
}

func TestLabHelpListsExperiments(t *testing.T) {
	out := labOut(t, "--help")
	for _, e := range lab.Experiments {
		if !strings.Contains(out, "  "+e.Name+" ") || !strings.Contains(out, e.Summary) {
			t.Errorf("descent lab --help lacks %s:\n%s", e.Name, out)
		}
	}
	if out := labOut(t, "variance", "--help"); !strings.Contains(out, "-init-set") || !strings.Contains(out, "Usage: descent lab variance") {
		t.Errorf("descent lab variance --help:\n%s", out)
	}
}

// TestLabChainEndsAtLectureNumbers runs the lecture's two chains through
// the CLI.
func TestLabChainEndsAtLectureNumbers(t *testing.T) {
	for _, c := range []struct {
		scale  string
		want   string // as the lecture prints it
		digits int
	}{{"1.5", "57.665", 5}, {"0.5", "0.000977", 3}} {
		lines := strings.Split(strings.TrimSpace(labOut(t, "chain", "--scale", c.scale, "--depth", "10")), "\n")
		if lines[0] != "layer,forward_gain,backward_gain" || len(lines) != 11 {
			t.Fatalf("chain --scale %s:\n%s", c.scale, strings.Join(lines, "\n"))
		}
		f := strings.Split(lines[10], ",")
		for _, s := range f[1:] {
			v, _ := strconv.ParseFloat(s, 64)
			if strconv.FormatFloat(v, 'g', c.digits, 64) != c.want {
				t.Errorf("chain --scale %s ends at %s, lecture %v", c.scale, lines[10], c.want)
			}
		}
	}
}

func TestLabVarianceCSV(t *testing.T) {
	one := strings.Split(labOut(t, "variance", "--depth", "3", "--width", "8", "--batch", "4"), "\n")
	if one[0] != "layer,forward_var,backward_var" || !strings.HasPrefix(one[3], "3,") {
		t.Errorf("one init:\n%s", strings.Join(one, "\n"))
	}
	dir := t.TempDir()
	csvPath, png := filepath.Join(dir, "v.csv"), filepath.Join(dir, "v.png")
	if out := labOut(t, "variance", "--init", "torch_default,kaiming_normal(nonlinearity=relu)", "--act", "relu",
		"--depth", "3", "--width", "8", "--batch", "4", "--csv", csvPath, "--plot", png); out != "wrote "+csvPath+"\nwrote "+png+"\n" {
		t.Errorf("--csv given: stdout got %q; want only the two files it wrote named (issue 15 item 7)", out)
	}
	b, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if lines[0] != "init,layer,forward_var,backward_var" || len(lines) != 7 || !strings.HasPrefix(lines[6], "kaiming_normal(nonlinearity=relu),3,") {
		t.Errorf("several inits:\n%s", b)
	}
	if fi, err := os.Stat(png); err != nil || fi.Size() < 1000 {
		t.Errorf("plot: %v", err)
	}
}

func TestLabSymmetry(t *testing.T) {
	out := labOut(t, "symmetry", "--hidden", "4", "--samples", "32", "--steps", "20")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "init,layer,units,distinct_units,accuracy,final_loss" || len(lines) != 4 || !strings.HasPrefix(lines[1], "zeros,1,4,1,") {
		t.Errorf("symmetry:\n%s", out)
	}
}

// TestLabUsageErrors: every bad flag is one line on stderr and exit 2.
func TestLabUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{}, "valid: variance, chain, symmetry"},
		{[]string{"speed"}, "valid: variance, chain, symmetry"},
		{[]string{"variance", "--act", "swish"}, "valid: linear, relu"},
		{[]string{"variance", "--init", "he"}, "valid: zeros"},
		{[]string{"variance", "--init", "xavier_uniform", "--init-set", "a=1"}, "valid keys: gain"},
		{[]string{"variance", "--init", "dirac"}, "dirac needs"},
		{[]string{"variance", "--depth", "0"}, "--depth 0"},
		{[]string{"variance", "--width", "x"}, "invalid value"},
		{[]string{"variance", "--plot", "v.gif"}, "--plot"},
		{[]string{"variance", "extra"}, "unexpected argument"},
		{[]string{"chain", "--depth", "-1"}, "--depth -1"},
		{[]string{"chain", "--scale", "nan"}, "finite scale"},
		{[]string{"symmetry", "--hidden", "4,0"}, "--hidden 0"},
		{[]string{"symmetry", "--lr", "-1"}, "--lr"},
		{[]string{"symmetry", "--init", "dirac"}, "dirac needs"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"lab"}, c.args...), &stdout, &stderr)
		msg := stderr.String()
		if code != 2 || !strings.Contains(msg, c.want) || strings.Count(msg, "\n") != 1 {
			t.Errorf("descent lab %v: exit %d, stderr %q; want exit 2 and one line containing %q", c.args, code, msg, c.want)
		}
	}
}
