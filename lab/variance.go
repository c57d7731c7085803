package lab

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/tensor"
)

// The lecture's variance analysis, measured: for y = x·Wᵀ with i.i.d.
// zero-mean weights, D(y) = n_in·D(w)·D(x), and backward
// D(dL/dx) = n_out·D(w)·D(dL/dy). U(±1/sqrt(n)) (PyTorch's default) has
// n·D(w) = 1/3 and loses a factor 3 per layer both ways; a ReLU halves the
// second moment, so He's D(w) = 2/n keeps it and Xavier's 1/n halves it
// per layer.

// Activations lists the activations Variance and Symmetry take;
// leaky_relu uses PyTorch's default slope 0.01.
var Activations = []string{"linear", "relu", "leaky_relu", "tanh", "sigmoid", "gelu"}

// activate applies the activation called name.
func activate(g *autograd.Graph[float64], name string, x *autograd.Var[float64]) *autograd.Var[float64] {
	switch name {
	case "relu":
		return g.ReLU(x)
	case "leaky_relu":
		return g.LeakyReLU(x, initializer.DefaultLeakySlope)
	case "tanh":
		return g.Tanh(x)
	case "sigmoid":
		return g.Sigmoid(x)
	case "gelu":
		return g.GELU(x)
	}
	return x
}

func checkActivation(name string) error {
	if !slices.Contains(Activations, name) {
		return fmt.Errorf("lab: unknown activation %q; valid: %s", name, strings.Join(Activations, ", "))
	}
	return nil
}

// NamedInit is an initializer with the label it has in CSV and pictures
// (usually what the user typed: "kaiming_normal(nonlinearity=relu)").
type NamedInit struct {
	Label string
	Init  initializer.Initializer
}

// ParseInits parses a list of schemes, each NAME or NAME(k=v,...), with
// settings common to all (initializer.ParseList): each labelled as the
// user wrote it.
func ParseInits(list, settings string) ([]NamedInit, error) {
	named, err := initializer.ParseList(list, settings)
	if err != nil {
		return nil, err
	}
	out := make([]NamedInit, len(named))
	for i, n := range named {
		out[i] = NamedInit(n)
	}
	return out, nil
}

// VarianceConfig describes a Depth-layer bias-free MLP of width Width:
// x0 ~ N(0, 1) of shape [Batch, Width], y_l = x_(l-1)·W_lᵀ, x_l = act(y_l).
// With Norm, y_l = norm(x_(l-1)·W_lᵀ): the pre-activation normalized by
// BatchNorm over the batch ("batch", training mode) or by LayerNorm over
// the features ("layer"), both with their initial weight 1 and bias 0 (the
// second way, after initialization, to keep each layer's variance in
// range: Ioffe & Szegedy 2015; Ba et al. 2016).
//
// The flag tags are `descent lab variance`'s flags (internal/cliflag).
type VarianceConfig struct {
	Inits []NamedInit
	Act   string `flag:"act" help:"activation" choices:"linear,relu,leaky_relu,tanh,sigmoid,gelu"` // one of Activations
	Norm  string `flag:"norm" help:"normalize each pre-activation: none, batch, layer"`            // "", "none", "batch" or "layer"
	Depth int    `flag:"depth" help:"number of layers D" range:"1,1000"`
	Width int    `flag:"width" help:"width W of every layer" range:"1,4096"`
	Batch int    `flag:"batch" help:"batch size B of the input x0 ~ N(0, 1)" range:"1,65536"`
	Seed  uint64 `flag:"seed" help:"random seed (input, starting gradient, weights)"`
}

// DefaultVariance is what `descent lab variance` runs by default, less the
// initializers (PyTorch's default).
var DefaultVariance = VarianceConfig{Act: "linear", Norm: "none", Depth: 10, Width: 256, Batch: 128, Seed: 1}

// VarianceNorms lists the values of VarianceConfig.Norm.
var VarianceNorms = []string{"none", "batch", "layer"}

// VarianceRow is one layer's result: the population variance over all
// elements of y_l and of dL/dy_l.
type VarianceRow struct {
	Init        string
	Layer       int
	ForwardVar  float64
	BackwardVar float64
}

func (c VarianceConfig) check() error {
	if len(c.Inits) == 0 {
		return fmt.Errorf("lab: variance needs at least one initializer")
	}
	if c.Depth < 1 || c.Width < 1 || c.Batch < 1 {
		return fmt.Errorf("lab: variance needs depth, width and batch >= 1, got %d, %d, %d", c.Depth, c.Width, c.Batch)
	}
	if c.Norm != "" && !slices.Contains(VarianceNorms, c.Norm) {
		return fmt.Errorf("lab: unknown norm %q; valid: %s", c.Norm, strings.Join(VarianceNorms, ", "))
	}
	if c.Norm == "batch" && c.Batch < 2 {
		return fmt.Errorf("lab: variance with batch norm needs a batch of at least 2, got %d", c.Batch)
	}
	if c.Norm == "layer" && c.Width < 2 {
		return fmt.Errorf("lab: variance with layer norm needs a width of at least 2, got %d", c.Width)
	}
	return checkActivation(c.Act)
}

// Variance runs the forward pass of each initializer's network, then the
// backward pass from a standard-normal gradient at y_D, through the
// project's autograd in float64. Every initializer sees the same x0 and the
// same starting gradient: both are drawn first from Seed, then the weights.
func Variance(cfg VarianceConfig) ([]VarianceRow, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	var rows []VarianceRow
	for _, ni := range cfg.Inits {
		rng := tensor.NewRand(cfg.Seed)
		x0 := tensor.New[float64](cfg.Batch, cfg.Width)
		x0.RandN(rng, 0, 1)
		gD := tensor.New[float64](cfg.Batch, cfg.Width)
		gD.RandN(rng, 0, 1)
		weights := make([]*autograd.Var[float64], cfg.Depth)
		for l := range weights {
			w := tensor.New[float64](cfg.Width, cfg.Width)
			if err := ni.Init.Fill(w, rng); err != nil {
				return nil, fmt.Errorf("lab: %s: %w", ni.Label, err)
			}
			weights[l] = autograd.NewParam(w, "weight")
		}
		g := autograd.New[float64]()
		x := autograd.NewConstant(x0)
		ys := make([]*autograd.Var[float64], cfg.Depth)
		for l, w := range weights {
			ys[l] = normalize(g, cfg.Norm, g.MatMul(x, w, false, true))
			x = activate(g, cfg.Act, ys[l])
		}
		// L = Σ y_D ⊙ g_D, so that dL/dy_D = g_D.
		g.Backward(g.Sum(g.Mul(ys[cfg.Depth-1], autograd.NewConstant(gD))))
		for l, y := range ys {
			rows = append(rows, VarianceRow{Init: ni.Label, Layer: l + 1,
				ForwardVar: variance(y.Value.Data()), BackwardVar: variance(y.Grad.Data())})
		}
	}
	return rows, nil
}

// normalize applies the normalization called name (none for "" or
// "none"), without affine parameters: their initial values are the identity.
func normalize(g *autograd.Graph[float64], name string, y *autograd.Var[float64]) *autograd.Var[float64] {
	switch name {
	case "batch":
		return g.BatchNorm(y, nil, nil, 1e-5, nil, nil)
	case "layer":
		return g.LayerNorm(y, nil, nil, y.Value.Dim(1), 1e-5)
	}
	return y
}

// variance is the population variance of d.
func variance(d []float64) float64 {
	var mean float64
	for _, v := range d {
		mean += v
	}
	mean /= float64(len(d))
	var ss float64
	for _, v := range d {
		ss += (v - mean) * (v - mean)
	}
	return ss / float64(len(d))
}

// WriteVarianceCSV writes rows with the header layer,forward_var,
// backward_var, preceded by an init column when withInit is set (the CLI
// sets it for several initializers).
func WriteVarianceCSV(w io.Writer, rows []VarianceRow, withInit bool) error {
	cw := csv.NewWriter(w)
	header := []string{"layer", "forward_var", "backward_var"}
	if withInit {
		header = append([]string{"init"}, header...)
	}
	cw.Write(header)
	for _, r := range rows {
		rec := []string{strconv.Itoa(r.Layer), formatFloat(r.ForwardVar), formatFloat(r.BackwardVar)}
		if withInit {
			rec = append([]string{r.Init}, rec...)
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// formatFloat is the shortest representation that parses back to v.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// PlotVariance draws log variance against layer, forward and backward side
// by side, one curve per initializer.
func PlotVariance(path string, cfg VarianceConfig, rows []VarianceRow) error {
	var fwd, bwd []Series
	for _, ni := range cfg.Inits {
		f, b := Series{Label: ni.Label}, Series{Label: ni.Label}
		for _, r := range rows {
			if r.Init == ni.Label {
				f.X, f.Y = append(f.X, float64(r.Layer)), append(f.Y, r.ForwardVar)
				b.X, b.Y = append(b.X, float64(r.Layer)), append(b.Y, r.BackwardVar)
			}
		}
		fwd, bwd = append(fwd, f), append(bwd, b)
	}
	net := fmt.Sprintf("%d×%d %s MLP, batch %d, seed %d", cfg.Depth, cfg.Width, cfg.Act, cfg.Batch, cfg.Seed)
	if cfg.Norm != "" && cfg.Norm != "none" {
		net = fmt.Sprintf("%d×%d %s MLP with %s norm, batch %d, seed %d", cfg.Depth, cfg.Width, cfg.Act, cfg.Norm, cfg.Batch, cfg.Seed)
	}
	return SavePanels(path,
		Panel{Title: "forward: Var(y_l), " + net, XLabel: "layer l", YLabel: "variance of y_l (log)", LogY: true, Series: fwd},
		Panel{Title: "backward: Var(dL/dy_l)", XLabel: "layer l", YLabel: "variance of dL/dy_l (log)", LogY: true, Series: bwd})
}
