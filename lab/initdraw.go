package lab

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/safetensors"
	"github.com/descent-ml/descent/tensor"
)

// MaxInitElements bounds the tensor DrawInit draws: it keeps the float32
// weights and a float64 copy for the statistics (12 bytes an element).
const MaxInitElements = 1 << 27

// InitDraw is one float32 tensor drawn with an initializer, its measured
// statistics and the law that theory gives each element
// (initializer.LawOf): what `descent init` prints, draws and saves.
type InitDraw struct {
	Init                initializer.Initializer
	Seed                uint64
	Tensor              *tensor.Tensor[float32]
	Law                 initializer.Law
	Mean, Std, Min, Max float64 // measured; Std is the population one
}

// DrawInit draws a tensor of the given shape (at most MaxInitElements
// elements) with init from seed, through initializer.Apply, so that it
// holds what a float32 model's weight would.
func DrawInit(init initializer.Initializer, shape []int, seed uint64) (*InitDraw, error) {
	n := 1
	for _, d := range shape {
		if d <= 0 || d > MaxInitElements/n {
			return nil, fmt.Errorf("lab: shape %v: want positive sizes and at most %d elements", shape, MaxInitElements)
		}
		n *= d
	}
	law, err := initializer.LawOf(init, shape)
	if err != nil {
		return nil, err
	}
	t := tensor.New[float32](shape...)
	if err := initializer.Apply(init, t, tensor.NewRand(seed)); err != nil {
		return nil, err
	}
	d := &InitDraw{Init: init, Seed: seed, Tensor: t, Law: law, Min: math.Inf(1), Max: math.Inf(-1)}
	for _, v := range t.Data() {
		d.Mean += float64(v)
		d.Min, d.Max = min(d.Min, float64(v)), max(d.Max, float64(v))
	}
	d.Mean /= float64(n)
	for _, v := range t.Data() {
		d.Std += (float64(v) - d.Mean) * (float64(v) - d.Mean)
	}
	d.Std = math.Sqrt(d.Std / float64(n))
	return d, nil
}

// shapeString writes a shape as [A,B,...].
func shapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// WriteReport writes the scheme, the shape with its fans, the seed, and
// the measured mean, std, min and max beside the law's.
func (d *InitDraw) WriteReport(w io.Writer) {
	shape := d.Tensor.Shape()
	fmt.Fprintf(w, "scheme  %v\nshape   %s", d.Init, shapeString(shape))
	if in, out, err := initializer.Fans(shape); err == nil {
		fmt.Fprintf(w, " (fan_in %d, fan_out %d)", in, out)
	}
	fmt.Fprintf(w, "\nseed    %d\n        %-14s %s\n", d.Seed, "measured", "theory")
	theoryNote := ""
	if d.Law.Approximate {
		theoryNote = " (approximate law)"
	}
	row := func(name string, m, th float64, note string) {
		fmt.Fprintf(w, "%-7s %-14.6g %.6g%s\n", name, m, th, note)
	}
	row("mean", d.Mean, d.Law.Mean, "")
	row("std", d.Std, d.Law.Std, theoryNote)
	row("min", d.Min, d.Law.Lo, " (support)")
	row("max", d.Max, d.Law.Hi, " (support)")
}

// Plot draws the histogram of the values, as a density, with the law's
// density over it, into path (.png, .svg or .pdf).
func (d *InitDraw) Plot(path string) error {
	label := fmt.Sprintf("theory (std %.4g)", d.Law.Std)
	if d.Law.Approximate {
		label = fmt.Sprintf("normal approximation (std %.4g)", d.Law.Std)
	}
	data := make([]float64, d.Tensor.Len())
	for i, v := range d.Tensor.Data() {
		data[i] = float64(v)
	}
	title := fmt.Sprintf("%v on %s, seed %d", d.Init, shapeString(d.Tensor.Shape()), d.Seed)
	return Histogram(path, title, "weight value", data, d.Law.Density, label)
}

// Save writes the tensor as float32 safetensors named weight, with the
// scheme and the seed in the metadata.
func (d *InitDraw) Save(path string) error {
	meta := map[string]string{"scheme": d.Init.String(), "seed": strconv.FormatUint(d.Seed, 10)}
	return safetensors.WriteFile(path, []safetensors.Tensor{safetensors.Encode("weight", d.Tensor)}, meta)
}
