package lab

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var toyBPTT = BPTTConfig{Cell: "rnn", Steps: 12, Hidden: 6, Input: 3, Batch: 4, Seed: 2}

// TestBPTTToy: the last step's gradient is dL/dh_T = 1, so g_T = sqrt(H);
// a plain tanh RNN loses gradient going back in time; the CSV has one row
// per step under the header.
func TestBPTTToy(t *testing.T) {
	for _, c := range BPTTComparison(toyBPTT) {
		n, err := BPTT(c)
		if err != nil {
			t.Fatalf("%s: %v", c.Label(), err)
		}
		if len(n) != c.Steps || math.Abs(n[c.Steps-1]-math.Sqrt(float64(c.Hidden))) > 1e-12 {
			t.Fatalf("%s: %d norms ending at %v, want %d ending at sqrt(%d)", c.Label(), len(n), n[len(n)-1], c.Steps, c.Hidden)
		}
		if c.Cell == "rnn" && c.InitHH == "default" && !(n[0] < n[c.Steps-1]/100) {
			t.Errorf("%s: g_1 = %v, g_T = %v: no vanishing", c.Label(), n[0], n[c.Steps-1])
		}
	}
	n, _ := BPTT(toyBPTT)
	var b bytes.Buffer
	if err := WriteBPTTCSV(&b, n); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if lines[0] != "step,grad_norm" || len(lines) != toyBPTT.Steps+1 || !strings.HasPrefix(lines[toyBPTT.Steps], "12,") {
		t.Fatalf("CSV:\n%s", b.String())
	}
	path := filepath.Join(t.TempDir(), "bptt.png")
	var runs []BPTTRun
	for _, c := range BPTTComparison(toyBPTT) {
		n, _ := BPTT(c)
		runs = append(runs, BPTTRun{c, n})
	}
	if err := PlotBPTT(path, runs); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() < 1000 {
		t.Fatalf("plot: %v", err)
	}
}

func TestBPTTErrors(t *testing.T) {
	for _, c := range []struct {
		mod  func(*BPTTConfig)
		want string
	}{
		{func(c *BPTTConfig) { c.Cell = "transformer" }, `unknown cell "transformer"`},
		{func(c *BPTTConfig) { c.Cell, c.Act = "lstm", "relu" }, "rnn's nonlinearity"},
		{func(c *BPTTConfig) { c.Cell, c.SetForgetBias = "gru", true }, "forget bias is for the lstm"},
		{func(c *BPTTConfig) { c.InitHH = "zeros" }, `unknown --init-hh "zeros"`},
		{func(c *BPTTConfig) { c.Steps = 0 }, "must be >= 1"},
	} {
		cfg := toyBPTT
		cfg.Cell = "rnn"
		c.mod(&cfg)
		if _, err := BPTT(cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error containing %q", cfg, err, c.want)
		}
	}
}

// TestBPTTMatchesPyTorch runs the setup (T = 100, H = 128) for
// every run of the comparison and checks g_1/g_100 against PyTorch's over
// 20 seeds (testdata/bptt_reference.csv, from make_bptt_reference.py, in
// float64): the generators differ, so the check is that the ratio falls
// within PyTorch's range widened by a factor of 3. The spans differ by 20
// decades between runs, so a wrong gate or a wrong init lands far outside.
func TestBPTTMatchesPyTorch(t *testing.T) {
	if testing.Short() {
		t.Skip("the full-size runs take tens of seconds")
	}
	ref := readBPTTReference(t)
	for _, c := range BPTTComparison(DefaultBPTT) {
		r, ok := ref[c.Label()]
		if !ok {
			t.Fatalf("no PyTorch reference for %q", c.Label())
		}
		n, err := BPTT(c)
		if err != nil {
			t.Fatal(err)
		}
		got := n[0] / n[len(n)-1]
		if !(got >= r[0]/3 && got <= r[1]*3) {
			t.Errorf("%s: g_1/g_100 = %.3g, PyTorch %.3g..%.3g", c.Label(), got, r[0], r[1])
		}
	}
}

// readBPTTReference returns, per run, the least and greatest float64 ratio.
func readBPTTReference(t *testing.T) map[string][2]float64 {
	f, err := os.Open("testdata/bptt_reference.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	ref := map[string][2]float64{}
	for _, row := range rows[1:] {
		if row[1] != "float64" {
			continue
		}
		v, err := strconv.ParseFloat(row[3], 64)
		if err != nil {
			t.Fatal(err)
		}
		r, ok := ref[row[0]]
		if !ok {
			r = [2]float64{v, v}
		}
		ref[row[0]] = [2]float64{math.Min(r[0], v), math.Max(r[1], v)}
	}
	return ref
}
