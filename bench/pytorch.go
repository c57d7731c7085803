package bench

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// PyTorchScript is bench/pytorch/bench.py, built in so that
// `descent bench --vs-pytorch` runs from any directory.
//
//go:embed pytorch/bench.py
var PyTorchScript []byte

// DefaultPython returns the interpreter `descent bench --vs-pytorch` uses
// when none is given: ../shared/tools/torch-python if it exists (the
// project's PyTorch 1.13), else python3.
func DefaultPython() string {
	const shared = "../shared/tools/torch-python"
	if _, err := os.Stat(shared); err == nil {
		return shared
	}
	return "python3"
}

// PyTorchOptions say how to run bench/pytorch/bench.py.
type PyTorchOptions struct {
	Python  string   // interpreter; empty means DefaultPython()
	Script  string   // path of bench.py; empty runs the copy built into the binary
	Threads int      // torch.set_num_threads
	Quick   bool     // fewer repeats
	Only    []string // workload name prefixes; empty runs all
}

// RunPyTorch runs the PyTorch side of the workloads and returns its values
// by workload name, derived ones included. Its error says how to fix a
// missing interpreter or script.
func RunPyTorch(o PyTorchOptions) (map[string]float64, error) {
	if o.Python == "" {
		o.Python = DefaultPython()
	}
	if o.Script == "" {
		f, err := os.CreateTemp("", "descent-bench-*.py")
		if err != nil {
			return nil, fmt.Errorf("bench: writing the PyTorch script: %w", err)
		}
		defer os.Remove(f.Name())
		_, err = f.Write(PyTorchScript)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("bench: writing the PyTorch script: %w", err)
		}
		o.Script = f.Name()
	}
	args := []string{o.Script, "--threads", strconv.Itoa(max(o.Threads, 1))}
	if o.Quick {
		args = append(args, "--quick")
	}
	if len(o.Only) > 0 {
		args = append(args, "--only", strings.Join(o.Only, ","))
	}
	cmd := exec.Command(o.Python, args...)
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS="+strconv.Itoa(max(o.Threads, 1)))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("bench: running %s %s: %v: %s (set --python to an interpreter with torch)",
			o.Python, o.Script, err, strings.TrimSpace(lastLine(stderr.String())))
	}
	return ParsePyTorch(stdout.Bytes())
}

// ParsePyTorch reads bench.py's output: one JSON object of workload values
// (non-numeric entries such as the torch version are skipped), and adds the
// derived values.
func ParsePyTorch(out []byte) (map[string]float64, error) {
	var raw map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(out), &raw); err != nil {
		return nil, fmt.Errorf("bench: PyTorch output is not one JSON object: %w", err)
	}
	vals := map[string]float64{}
	for k, v := range raw {
		if f, ok := v.(float64); ok && k != "threads" {
			vals[k] = f
		}
	}
	Derive(vals)
	return vals, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
