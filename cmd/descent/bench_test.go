package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/bench"
)

// TestBenchTable runs one fast workload and checks the table's shape.
func TestBenchTable(t *testing.T) {
	var out bytes.Buffer
	err := runBench(&out, io.Discard, flag.NewFlagSet("bench", flag.ContinueOnError),
		[]string{"--only", "backward_chain_10_", "--repeats", "1", "--threads", "1,2"})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || !strings.Contains(lines[1], "workload") ||
		!strings.Contains(lines[2], "backward_chain_10_us_per_op") || !strings.Contains(lines[3], "backward_chain_10_us_per_op") {
		t.Fatalf("table:\n%s", out.String())
	}
}

// TestBenchVsPyTorch runs --vs-pytorch for three rounds with a stand-in
// interpreter that prints 7.5, then 2.5, then 9.5 (its count kept in a
// file), and checks that PyTorch's value is their median and the ratio is
// descent's advantage: PyTorch's time over descent's, for times.
func TestBenchVsPyTorch(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "python")
	script := "#!/bin/sh\ncd " + dir + "\necho x >> calls\nn=$(wc -l < calls)\n" +
		"v=7.5; [ $n -eq 2 ] && v=2.5; [ $n -eq 3 ] && v=9.5\n" +
		"echo \"{\\\"threads\\\": 1, \\\"torch\\\": \\\"fake\\\", \\\"backward_chain_10_us_per_op\\\": $v, \\\"gemm_256_gflops\\\": 100}\"\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := runBench(&out, io.Discard, flag.NewFlagSet("bench", flag.ContinueOnError),
		[]string{"--only", "backward_chain_10_", "--repeats", "1", "--rounds", "3", "--threads", "1", "--vs-pytorch", "--python", fake, "--json"})
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Rows []bench.Row }
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v in\n%s", err, out.String())
	}
	if len(got.Rows) != 1 {
		t.Fatalf("rows %+v, want backward_chain_10 only", got.Rows)
	}
	r := got.Rows[0]
	if r.PyTorch == nil || *r.PyTorch != 7.5 || r.Ratio == nil || *r.Ratio != 7.5/r.Descent {
		t.Fatalf("row %+v: want PyTorch 7.5 (the median) and ratio 7.5/descent", r)
	}
}

func TestBenchErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bench", "--threads", "0"}, 2, "--threads: 0 is not a thread count"},
		{[]string{"bench", "--threads", "two"}, 2, "malformed integer"},
		{[]string{"bench", "--only", "nope"}, 2, "valid: gemm_256_gflops, gemm_512_gflops"},
		{[]string{"bench", "--rounds", "0"}, 2, "--rounds 0"},
		{[]string{"bench", "--only", "backward_chain_10_", "--repeats", "1", "--vs-pytorch", "--python", "/nonexistent/python"}, 1, "set --python"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, &stdout, &stderr); code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr.String(), c.code, c.want)
		}
	}
}
