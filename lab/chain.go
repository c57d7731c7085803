package lab

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// The lecture's exploding and vanishing chain: y = W_D···W_1·x with every
// W_i = diag(c) multiplies x by c^D, and the gradient on the way back by the
// same c^D. With c = 1.5 and D = 10 that is 57.665; with c = 0.5,
// 0.000977. Computed here by the project's forward and backward passes,
// not by the formula, so the formula checks the passes.

// ChainConfig is the chain's scale c, depth D and width N. The flag tags
// are `descent lab chain`'s flags (internal/cliflag).
type ChainConfig struct {
	Scale float64 `flag:"scale" help:"the diagonal c of every W_i"`
	Depth int     `flag:"depth" help:"number of matrices D" range:"1,10000"`
	Width int     `flag:"width" help:"size N of x and of each N×N matrix" range:"1,1024"`
}

// DefaultChain is what `descent lab chain` runs by default.
var DefaultChain = ChainConfig{Scale: 1.5, Depth: 10, Width: 4}

// ChainRow holds, for l = 1..D, ||x_l||/||x_0|| and
// ||dL/dx_(D-l)||/||dL/dx_D||.
type ChainRow struct {
	Layer                     int
	ForwardGain, BackwardGain float64
}

// Chain runs the chain forward from x_0 = (1, ..., 1) and backward from
// dL/dx_D = (1, ..., 1) (L = Σ x_D).
func Chain(cfg ChainConfig) ([]ChainRow, error) {
	if cfg.Depth < 1 || cfg.Width < 1 {
		return nil, fmt.Errorf("lab: chain needs depth and width >= 1, got %d, %d", cfg.Depth, cfg.Width)
	}
	if math.IsNaN(cfg.Scale) || math.IsInf(cfg.Scale, 0) {
		return nil, fmt.Errorf("lab: chain needs a finite scale, got %v", cfg.Scale)
	}
	w := tensor.New[float64](cfg.Width, cfg.Width)
	for i := range cfg.Width {
		w.Set(cfg.Scale, i, i)
	}
	W := autograd.NewConstant(w)
	x0 := tensor.New[float64](1, cfg.Width)
	x0.Fill(1)
	g := autograd.New[float64]()
	xs := make([]*autograd.Var[float64], cfg.Depth+1)
	xs[0] = autograd.NewParam(x0, "x0") // a parameter so that dL/dx_0 is computed
	for l := 1; l <= cfg.Depth; l++ {
		xs[l] = g.MatMul(xs[l-1], W, false, true)
	}
	g.Backward(g.Sum(xs[cfg.Depth]))
	rows := make([]ChainRow, cfg.Depth)
	for l := 1; l <= cfg.Depth; l++ {
		rows[l-1] = ChainRow{Layer: l,
			ForwardGain:  norm(xs[l].Value.Data()) / norm(xs[0].Value.Data()),
			BackwardGain: norm(xs[cfg.Depth-l].Grad.Data()) / norm(xs[cfg.Depth].Grad.Data())}
	}
	return rows, nil
}

func norm(d []float64) float64 {
	var ss float64
	for _, v := range d {
		ss += v * v
	}
	return math.Sqrt(ss)
}

// WriteChainCSV writes rows with the header layer,forward_gain,backward_gain.
func WriteChainCSV(w io.Writer, rows []ChainRow) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"layer", "forward_gain", "backward_gain"})
	for _, r := range rows {
		cw.Write([]string{strconv.Itoa(r.Layer), formatFloat(r.ForwardGain), formatFloat(r.BackwardGain)})
	}
	cw.Flush()
	return cw.Error()
}

// PlotChain draws both gains against depth on a log scale, with c^l.
func PlotChain(path string, cfg ChainConfig, rows []ChainRow) error {
	fwd, bwd, ref := Series{Label: "forward ||x_l||/||x_0||"}, Series{Label: "backward ||dL/dx_(D-l)||/||dL/dx_D||"},
		Series{Label: fmt.Sprintf("%g^l", cfg.Scale)}
	for _, r := range rows {
		l := float64(r.Layer)
		fwd.X, fwd.Y = append(fwd.X, l), append(fwd.Y, r.ForwardGain)
		bwd.X, bwd.Y = append(bwd.X, l), append(bwd.Y, r.BackwardGain)
		ref.X, ref.Y = append(ref.X, l), append(ref.Y, math.Pow(math.Abs(cfg.Scale), l))
	}
	title := fmt.Sprintf("y = W_%d···W_1 x, W_i = diag(%g): ends at %.6g", cfg.Depth, cfg.Scale, rows[len(rows)-1].ForwardGain)
	return SavePanels(path, Panel{Title: title, XLabel: "layers l", YLabel: "gain (log)", LogY: true,
		Series: []Series{ref, fwd, bwd}})
}
