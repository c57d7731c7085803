package main

import (
	"bytes"
	"flag"
	"io"
	"regexp"
	"strings"
	"testing"
)

func runGraphArgs(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	fs := flag.NewFlagSet("descent graph", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	err := runGraph(&out, fs, args)
	return out.String(), err
}

// TestGraphDOT checks the DOT of each model's training step structurally:
// the ops in order with their output shapes, every parameter as a leaf
// feeding its layer, and gradient labels only with --grads.
func TestGraphDOT(t *testing.T) {
	cases := []struct {
		model  string
		ops    []string // op labels in tape order
		params int
	}{
		{"mlp", []string{"Linear [2 512]", "ReLU [2 512]", "Linear [2 256]", "ReLU [2 256]", "Linear [2 10]", "CrossEntropy []"}, 6},
		{"cnn", []string{"Conv2d [2 32 26 26]", "ReLU [2 32 26 26]", "MaxPool2d [2 32 13 13]",
			"Conv2d [2 64 11 11]", "ReLU [2 64 11 11]", "MaxPool2d [2 64 5 5]", "Reshape [2 1600]",
			"Linear [2 128]", "ReLU [2 128]", "Linear [2 10]", "CrossEntropy []"}, 8},
	}
	node := regexp.MustCompile(`(?m)^  (n\d+) \[.*label="([^"]*)"`)
	param := regexp.MustCompile(`(?m)^  v\d+ \[.*penwidth=2.*label="(\d+\.(?:weight|bias))\\n`)
	for _, c := range cases {
		for _, grads := range []bool{false, true} {
			args := []string{"--model", c.model, "--batch", "2"}
			if grads {
				args = append(args, "--grads")
			}
			out, err := runGraphArgs(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			var ops []string
			for _, m := range node.FindAllStringSubmatch(out, -1) {
				parts := strings.Split(m[2], `\n`)
				ops = append(ops, parts[0]+" "+parts[1])
				if hasNorm := len(parts) == 3 && strings.HasPrefix(parts[2], "‖∇‖="); hasNorm != grads {
					t.Errorf("%s grads=%v: label %q", c.model, grads, m[2])
				}
			}
			if strings.Join(ops, ", ") != strings.Join(c.ops, ", ") {
				t.Errorf("%s: ops\n%s\nwant\n%s", c.model, strings.Join(ops, ", "), strings.Join(c.ops, ", "))
			}
			if n := len(param.FindAllString(out, -1)); n != c.params {
				t.Errorf("%s: %d parameter leaves, want %d", c.model, n, c.params)
			}
			// One edge from the input, one from each parameter, one
			// between consecutive ops.
			if n, want := strings.Count(out, " -> "), 1+c.params+len(c.ops)-1; n != want {
				t.Errorf("%s: %d edges, want %d", c.model, n, want)
			}
			if !strings.HasPrefix(out, "digraph descent {") || !strings.HasSuffix(out, "}\n") {
				t.Errorf("%s: not a DOT digraph", c.model)
			}
		}
	}
}

func TestGraphBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--model", "resnet"}, {"--batch", "0"}, {"--colour"}} {
		_, err := runGraphArgs(t, args...)
		if _, ok := err.(*usageError); !ok {
			t.Errorf("%v: error %v, want a usage error", args, err)
		}
	}
	_, err := runGraphArgs(t, "--model", "resnet")
	if err == nil || !strings.Contains(err.Error(), "mlp, cnn") {
		t.Errorf("error %v does not list the models", err)
	}
}
