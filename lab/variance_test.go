package lab

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/nn/initializer"
)

// perLayer returns the geometric mean of the layer-to-layer ratio of the
// forward variance and of the backward variance (backward: layer l-1 over
// layer l, the direction the gradient travels).
func perLayer(rows []VarianceRow) (fwd, bwd float64) {
	n := len(rows)
	fwd = math.Pow(rows[n-1].ForwardVar/rows[0].ForwardVar, 1/float64(n-1))
	bwd = math.Pow(rows[0].BackwardVar/rows[n-1].BackwardVar, 1/float64(n-1))
	return fwd, bwd
}

func runVariance(t *testing.T, init initializer.Initializer, act string, depth int) []VarianceRow {
	t.Helper()
	rows, err := Variance(VarianceConfig{Inits: []NamedInit{{init.String(), init}}, Act: act,
		Depth: depth, Width: 256, Batch: 16, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestVarianceReproducesLecture checks the lecture's claims at toy size,
// each as a bound on the measured per-layer factor. A finite-width ReLU net
// is a multiplicative random walk (the log-variance wanders by about
// sqrt(5·depth/width)), so its bounds are wider than the linear net's.
func TestVarianceReproducesLecture(t *testing.T) {
	he := initializer.KaimingNormal{Nonlinearity: "relu"}
	cases := []struct {
		claim    string
		init     initializer.Initializer
		act      string
		depth    int
		lo, hi   float64 // bounds on the per-layer factor, forward and backward
		wantBack bool
	}{
		{"torch_default loses a factor 3 per layer", initializer.TorchDefault{}, "linear", 10, 1 / 3.3, 1 / 2.7, true},
		{"lecun_uniform keeps a linear net", initializer.LeCunUniform{}, "linear", 10, 0.93, 1.07, true},
		{"xavier_uniform halves a ReLU net", initializer.XavierUniform{Gain: 1}, "relu", 10, 0.42, 0.58, true},
	}
	for _, c := range cases {
		rows := runVariance(t, c.init, c.act, c.depth)
		fwd, bwd := perLayer(rows)
		if fwd < c.lo || fwd > c.hi || c.wantBack && (bwd < c.lo || bwd > c.hi) {
			t.Errorf("%s: per-layer factor forward %.4f, backward %.4f; want in [%.3f, %.3f]", c.claim, fwd, bwd, c.lo, c.hi)
		}
	}
	// Kaiming: every layer of a 30-layer ReLU net within a factor 8 of the
	// input's variance 1, both ways (the random walk's spread is about
	// e^0.77 here); torch_default would be at 6^-30.
	rows := runVariance(t, he, "relu", 30)
	for _, r := range rows {
		if r.ForwardVar < 1.0/8 || r.ForwardVar > 8 || r.BackwardVar/rows[29].BackwardVar < 1.0/8 || r.BackwardVar/rows[29].BackwardVar > 8 {
			t.Errorf("kaiming relu layer %d: forward var %.3f, backward var %.3f (last %.3f): not within 8x", r.Layer, r.ForwardVar, r.BackwardVar, rows[29].BackwardVar)
		}
	}
	// The same net with PyTorch's default loses a factor 6 per layer.
	rows = runVariance(t, initializer.TorchDefault{}, "relu", 10)
	if fwd, bwd := perLayer(rows); fwd < 1/6.6 || fwd > 1/5.4 || bwd < 1/6.6 || bwd > 1/5.4 {
		t.Errorf("torch_default relu: per-layer factor %.4f, %.4f; want about 1/6", fwd, bwd)
	}
}

// TestVarianceTanh: xavier keeps a tanh net far better than torch_default.
func TestVarianceTanh(t *testing.T) {
	x := runVariance(t, initializer.XavierUniform{Gain: 1}, "tanh", 10)
	d := runVariance(t, initializer.TorchDefault{}, "tanh", 10)
	if x[9].ForwardVar < 100*d[9].ForwardVar || x[0].BackwardVar < 100*d[0].BackwardVar {
		t.Errorf("tanh, layer 10 forward: xavier %g vs torch_default %g; layer 1 backward: %g vs %g; want xavier 100x larger",
			x[9].ForwardVar, d[9].ForwardVar, x[0].BackwardVar, d[0].BackwardVar)
	}
}

// TestVarianceFirstLayer checks layer 1 against the variance lemma exactly
// in expectation: D(y_1) = n·D(w)·D(x_0), loosely at this size.
func TestVarianceFirstLayer(t *testing.T) {
	for _, act := range Activations {
		rows := runVariance(t, initializer.Normal{Std: 0.1}, act, 3)
		if want := 256 * 0.01; math.Abs(rows[0].ForwardVar/want-1) > 0.1 {
			t.Errorf("%s: Var(y_1) = %v, lemma gives %v", act, rows[0].ForwardVar, want)
		}
		if math.Abs(rows[2].BackwardVar-1) > 0.1 {
			t.Errorf("%s: Var(dL/dy_D) = %v, the standard-normal start has 1", act, rows[2].BackwardVar)
		}
	}
}

func TestVarianceSameSeedAndCSV(t *testing.T) {
	cfg := VarianceConfig{Inits: []NamedInit{{"a", initializer.TorchDefault{}}, {"kaiming_normal(mode=fan_out,nonlinearity=relu)", initializer.KaimingNormal{Mode: initializer.FanOut, Nonlinearity: "relu"}}},
		Act: "gelu", Depth: 3, Width: 8, Batch: 4, Seed: 3}
	r1, err := Variance(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := Variance(cfg)
	var b1, b2 bytes.Buffer
	WriteVarianceCSV(&b1, r1, true)
	WriteVarianceCSV(&b2, r2, true)
	if b1.String() != b2.String() {
		t.Error("same seed, different numbers")
	}
	lines := strings.Split(strings.TrimSpace(b1.String()), "\n")
	if lines[0] != "init,layer,forward_var,backward_var" || len(lines) != 7 || !strings.HasPrefix(lines[4], `"kaiming_normal(mode=fan_out,nonlinearity=relu)",1,`) {
		t.Errorf("CSV:\n%s", b1.String())
	}
	var one bytes.Buffer
	WriteVarianceCSV(&one, r1[:3], false)
	if !strings.HasPrefix(one.String(), "layer,forward_var,backward_var\n1,") {
		t.Errorf("single-init CSV:\n%s", one.String())
	}
	if err := PlotVariance(filepath.Join(t.TempDir(), "v.png"), cfg, r1); err != nil {
		t.Error(err)
	}
}

func TestVarianceErrors(t *testing.T) {
	ok := []NamedInit{{"x", initializer.TorchDefault{}}}
	for _, cfg := range []VarianceConfig{
		{Act: "linear", Depth: 1, Width: 1, Batch: 1},
		{Inits: ok, Act: "swish", Depth: 1, Width: 1, Batch: 1},
		{Inits: ok, Act: "relu", Depth: 0, Width: 1, Batch: 1},
		{Inits: []NamedInit{{"d", initializer.Dirac{}}}, Act: "relu", Depth: 1, Width: 2, Batch: 1},
	} {
		if _, err := Variance(cfg); err == nil {
			t.Errorf("Variance(%+v): no error", cfg)
		}
	}
}

// TestVarianceUnderNorm: with BatchNorm or LayerNorm after every layer the
// initializer's scale stops mattering. Forward, the normalized
// pre-activation has variance 1 at every depth; backward, two initializers
// that differ only in scale (N(0, 1) and Kaiming's N(0, 2/n), drawn from
// the same numbers) give the same gradients (to 5%: eps = 1e-5 is added to
// variances 64 times apart, which over 30 ReLU layers moves them 1-2%), and in a linear net with
// BatchNorm the gradient stays within a small factor of the last layer's,
// where without a norm the same initializers move it by 3^±29. What stays
// is the activation's own effect: in a BatchNorm-ReLU net the gradient
// still grows about π/(π−1) ≈ 1.47 per layer toward the input (Yang et al.,
// "A Mean Field Theory of Batch Normalization", ICLR 2019).
func TestVarianceUnderNorm(t *testing.T) {
	inits := []NamedInit{
		{"normal(std=1)", initializer.Normal{Std: 1}},
		{"kaiming_normal", initializer.KaimingNormal{Nonlinearity: "relu"}},
		{"torch_default", initializer.TorchDefault{}},
	}
	const depth = 30
	for _, norm := range []string{"batch", "layer"} {
		for _, act := range []string{"linear", "relu", "tanh"} {
			rows, err := Variance(VarianceConfig{Inits: inits, Act: act, Norm: norm, Depth: depth, Width: 64, Batch: 32, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range rows {
				if math.Abs(r.ForwardVar-1) > 0.01 {
					t.Errorf("%s norm, %s, %s, layer %d: forward variance %.4g, want 1", norm, act, r.Init, r.Layer, r.ForwardVar)
				}
				if i < depth {
					if k := rows[i+depth]; math.Abs(k.BackwardVar/r.BackwardVar-1) > 0.05 {
						t.Errorf("%s norm, %s, layer %d: backward variance %.6g under %s but %.6g under %s",
							norm, act, r.Layer, r.BackwardVar, r.Init, k.BackwardVar, k.Init)
					}
				}
				if norm == "batch" && act == "linear" && (r.BackwardVar < 0.5 || r.BackwardVar > 10) {
					t.Errorf("batch norm, linear, %s, layer %d: backward variance %.4g, want within [0.5, 10]", r.Init, r.Layer, r.BackwardVar)
				}
			}
			if norm == "batch" && act == "relu" {
				if _, bwd := perLayer(rows[:depth]); bwd < 1.3 || bwd > 1.7 {
					t.Errorf("batch norm, relu: the gradient grows %.3f per layer, want about π/(π−1) ≈ 1.47", bwd)
				}
			}
		}
	}
	// The same nets without a norm vanish or explode (the test can fail).
	rows, _ := Variance(VarianceConfig{Inits: inits, Act: "linear", Depth: depth, Width: 64, Batch: 32, Seed: 1})
	if last := rows[depth-1].ForwardVar; last < 1e10 {
		t.Errorf("normal(std=1) without a norm: layer 30 variance %g, expected it to explode", last)
	}
	if last := rows[3*depth-1].ForwardVar; last > 1e-10 {
		t.Errorf("torch_default without a norm: layer 30 variance %g, expected it to vanish", last)
	}
	if _, err := Variance(VarianceConfig{Inits: inits, Act: "relu", Norm: "group", Depth: 2, Width: 4, Batch: 4}); err == nil ||
		!strings.Contains(err.Error(), `unknown norm "group"`) {
		t.Errorf("unknown norm: %v", err)
	}
}
