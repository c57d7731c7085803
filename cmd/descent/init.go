package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/internal/kv"
	"github.com/descent-ml/descent/lab"
	"github.com/descent-ml/descent/nn/initializer"
)

func init() {
	register(&command{
		name:    "init",
		summary: "draw one tensor with an initializer and compare it with theory",
		usage: "--scheme NAME --shape A,B[,C,D] [--seed N] [--set k=v,...] [--out DIR] [--plot FILE.png]\n\n" +
			"--out DIR writes init.safetensors and init.png into DIR; --out FILE.safetensors writes the tensor alone.\n" +
			"Schemes (--set keys in brackets, torch.nn.init's names):\n" + initHelp(),
		examples: []string{"descent init --scheme kaiming_normal --shape 256,784 --set nonlinearity=relu", "descent init --scheme orthogonal --shape 64,64 --plot ortho.png --out w.safetensors"},
		run:      func(fs *flag.FlagSet, args []string) error { return runInit(os.Stdout, fs, args) },
	})
}

func runInit(w io.Writer, fs *flag.FlagSet, args []string) error {
	scheme := fs.String("scheme", "", "initializer: "+strings.Join(initializer.Names(), ", "))
	shapeFlag := fs.String("shape", "", "tensor shape, e.g. 256,784 (linear [out,in]) or 16,8,3,3 (conv [out,in,kh,kw])")
	seed := fs.Uint64("seed", 1, "random seed")
	set := fs.String("set", "", "scheme settings k=v,... (val, a, b, mean, std, gain, mode, nonlinearity)")
	out := fs.String("out", "", "directory (created) for init.safetensors, the tensor as float32 named weight (scheme and seed in the metadata), and init.png; or a FILE.safetensors for the tensor alone")
	plotPath := fs.String("plot", "", "draw the histogram with the theoretical density (.png, .svg, .pdf)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *scheme == "" {
		return usagef("--scheme is required; valid: %s", strings.Join(initializer.Names(), ", "))
	}
	init, err := initFromFlags(*scheme, *set)
	if err != nil {
		return usagef("%v", err)
	}
	weights := *out
	if *out != "" && !strings.HasSuffix(*out, ".safetensors") {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return usagef("--out: %v", err)
		}
		weights, *plotPath = filepath.Join(*out, "init.safetensors"), orElse(*plotPath, filepath.Join(*out, "init.png"))
	}
	if err := firstError(checkPlotPath(*plotPath), checkOutDir("--out", weights)); err != nil {
		return err
	}
	shape, err := parseShape(*shapeFlag)
	if err != nil {
		return usagef("--shape: %v", err)
	}
	d, err := lab.DrawInit(init, shape, *seed)
	if err != nil && strings.HasPrefix(err.Error(), "lab: shape") {
		return usagef("--shape %s: %s", *shapeFlag, strings.TrimPrefix(err.Error(), "lab: "))
	} else if err != nil {
		return usagef("%v", err)
	}
	d.WriteReport(w)
	for _, f := range []struct {
		path  string
		write func(string) error
	}{{weights, d.Save}, {*plotPath, d.Plot}} {
		if f.path == "" {
			continue
		}
		if err := f.write(f.path); err != nil {
			return err
		}
		fmt.Fprintf(w, "wrote %s\n", f.path)
	}
	return nil
}

// parseShape parses "A,B,..." into 1 to 5 sizes (lab.DrawInit checks
// them).
func parseShape(s string) ([]int, error) {
	if s == "" {
		return nil, fmt.Errorf("required, e.g. --shape 256,784")
	}
	shape, err := kv.Ints(s)
	if err == nil && len(shape) > 5 {
		err = fmt.Errorf("%d dimensions; at most 5", len(shape))
	}
	return shape, err
}
