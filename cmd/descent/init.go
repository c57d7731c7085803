package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/lab"
	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/safetensors"
	"github.com/descent-ml/descent/tensor"
)

func init() {
	register(&command{
		name:     "init",
		summary:  "draw one tensor with an initializer and compare it with theory",
		usage:    "--scheme NAME --shape A,B[,C,D] [--seed N] [--set k=v,...] [--out FILE.safetensors] [--plot FILE.png]\n\nSchemes (--set keys in brackets, torch.nn.init's names):\n" + initHelp(),
		examples: []string{"descent init --scheme kaiming_normal --shape 256,784 --set nonlinearity=relu", "descent init --scheme orthogonal --shape 64,64 --plot ortho.png --out w.safetensors"},
		run:      func(fs *flag.FlagSet, args []string) error { return runInit(os.Stdout, fs, args) },
	})
}

func runInit(w io.Writer, fs *flag.FlagSet, args []string) error {
	scheme := fs.String("scheme", "", "initializer: "+strings.Join(initNames(), ", "))
	shapeFlag := fs.String("shape", "", "tensor shape, e.g. 256,784 (linear [out,in]) or 16,8,3,3 (conv [out,in,kh,kw])")
	seed := fs.Uint64("seed", 1, "random seed")
	set := fs.String("set", "", "scheme settings k=v,... (val, a, b, mean, std, gain, mode, nonlinearity)")
	out := fs.String("out", "", "write the tensor as float32 safetensors, named weight (scheme and seed in the metadata)")
	plotPath := fs.String("plot", "", "draw the histogram with the theoretical density (.png, .svg, .pdf)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *scheme == "" {
		return usagef("--scheme is required; valid: %s", strings.Join(initNames(), ", "))
	}
	init, err := initFromFlags(*scheme, *set)
	if err != nil {
		return usagef("%v", err)
	}
	if err := checkPlotPath(*plotPath); err != nil {
		return err
	}
	if err := checkOutDir("--out", *out); err != nil {
		return err
	}
	shape, err := parseShape(*shapeFlag)
	if err != nil {
		return usagef("--shape: %v", err)
	}
	law, err := initializer.LawOf(init, shape)
	if err != nil {
		return usagef("%v", err)
	}
	t := tensor.New[float32](shape...)
	if err := initializer.Apply(init, t, tensor.NewRand(*seed)); err != nil {
		return usagef("%v", err)
	}
	data := make([]float64, t.Len())
	for i, v := range t.Data() {
		data[i] = float64(v)
	}
	printInitStats(w, init, shape, *seed, data, law)
	if *out != "" {
		meta := map[string]string{"scheme": init.String(), "seed": strconv.FormatUint(*seed, 10)}
		if err := safetensors.WriteFile(*out, []safetensors.Tensor{safetensors.Encode("weight", t)}, meta); err != nil {
			return err
		}
	}
	if *plotPath != "" {
		label := fmt.Sprintf("theory (std %.4g)", law.Std)
		if law.Approximate {
			label = fmt.Sprintf("normal approximation (std %.4g)", law.Std)
		}
		title := fmt.Sprintf("%v on %s, seed %d", init, shapeString(shape), *seed)
		if err := lab.Histogram(*plotPath, title, "weight value", data, law.Density, label); err != nil {
			return err
		}
	}
	return nil
}

// checkPlotPath rejects a --plot file whose format is unknown before any
// work is done.
func checkPlotPath(path string) error {
	if path == "" {
		return nil
	}
	if _, err := lab.ImageFormat(path); err != nil {
		return usagef("--plot: %v", strings.TrimPrefix(err.Error(), "lab: "))
	}
	return checkOutDir("--plot", path)
}

// maxInitElements bounds the tensor descent init draws: it keeps float32
// weights and a float64 copy for the statistics (12 bytes an element).
const maxInitElements = 1 << 27

// parseShape parses "A,B,..." into 1 to 5 positive sizes whose product is
// at most maxInitElements (a product that overflowed gave an empty tensor).
func parseShape(s string) ([]int, error) {
	if s == "" {
		return nil, fmt.Errorf("required, e.g. --shape 256,784")
	}
	shape, err := parseInts(s)
	if err != nil {
		return nil, err
	}
	if len(shape) > 5 {
		return nil, fmt.Errorf("%d dimensions; at most 5", len(shape))
	}
	n := 1
	for _, d := range shape {
		if d <= 0 {
			return nil, fmt.Errorf("sizes must be positive, got %s", s)
		}
		if d > maxInitElements/n {
			return nil, fmt.Errorf("%s holds more than %d elements, the most init draws", s, maxInitElements)
		}
		n *= d
	}
	return shape, nil
}

func shapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// printInitStats prints the draw's statistics beside the law's.
func printInitStats(w io.Writer, init initializer.Initializer, shape []int, seed uint64, data []float64, law initializer.Law) {
	mean, std, lo, hi := stats(data)
	fmt.Fprintf(w, "scheme  %v\nshape   %s", init, shapeString(shape))
	if in, out, err := initializer.Fans(shape); err == nil {
		fmt.Fprintf(w, " (fan_in %d, fan_out %d)", in, out)
	}
	fmt.Fprintf(w, "\nseed    %d\n        %-14s %s\n", seed, "measured", "theory")
	theoryNote := ""
	if law.Approximate {
		theoryNote = " (approximate law)"
	}
	row := func(name string, m, th float64, note string) {
		fmt.Fprintf(w, "%-7s %-14.6g %.6g%s\n", name, m, th, note)
	}
	row("mean", mean, law.Mean, "")
	row("std", std, law.Std, theoryNote)
	row("min", lo, law.Lo, " (support)")
	row("max", hi, law.Hi, " (support)")
}

// stats returns the mean, population std, min and max of data.
func stats(data []float64) (mean, std, lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range data {
		mean += v
		lo, hi = min(lo, v), max(hi, v)
	}
	mean /= float64(len(data))
	for _, v := range data {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(data))), lo, hi
}
