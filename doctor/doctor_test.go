package doctor

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/descent-ml/descent/monitor"
)

// net builds the layer rows of an n-layer network whose gradient variance
// is multiplied by back per layer going back and whose output variance by
// fwd per layer going forward, with healthy update ratios.
func net(n int, act string, fwd, back float64, step int) []monitor.LayerRow {
	rows := make([]monitor.LayerRow, n)
	for l := range rows {
		rows[l] = monitor.LayerRow{Step: step, Layer: strconv.Itoa(2 * l), Kind: "Linear", Act: act, FanIn: 256,
			WeightNorm: 10, UpdateRatio: 1e-3, OutVar: 0.3 * math.Pow(fwd, float64(l)),
			GradOutVar: 1e-5 * math.Pow(back, float64(n-1-l)), Dead: math.NaN(), Saturated: math.NaN()}
		if act == "ReLU" {
			rows[l].Dead = 0.02
		}
		if act == "Sigmoid" {
			rows[l].Saturated = 0.01
		}
	}
	rows[n-1].Act, rows[n-1].Dead, rows[n-1].Saturated = "", math.NaN(), math.NaN()
	return rows
}

func with(rows []monitor.LayerRow, f func(*monitor.LayerRow)) []monitor.LayerRow {
	out := append([]monitor.LayerRow(nil), rows...)
	for i := range out[:len(out)-1] {
		f(&out[i])
	}
	return out
}

// TestLayerRules runs each per-layer rule on statistics that must fire it
// and on statistics just on the healthy side.
func TestLayerRules(t *testing.T) {
	healthy := net(3, "ReLU", 0.2, 0.03, 100) // the default run's shape: both ratios below 1
	for _, c := range []struct {
		name       string
		kind       Kind
		prev, rows []monitor.LayerRow
		fire       bool
	}{
		{"healthy", "", healthy, healthy, false},
		{"exploding backward", ExplodingGradients, nil, net(10, "ReLU", 1, 128, 1), true},
		{"exploding forward", ExplodingGradients, nil, net(3, "ReLU", 128, 1, 1), true},
		{"growing but under the threshold", ExplodingGradients, nil, net(3, "ReLU", 90, 90, 1), false},
		{"vanishing 10-layer sigmoid", VanishingGradients, nil, net(10, "Sigmoid", 1, 0.013, 1), true},
		{"vanishing README sigmoid (3 layers, 8e-6)", VanishingGradients, nil, net(3, "Sigmoid", 1, math.Sqrt(8e-6), 1), false},
		{"vanishing needs 3 layers", VanishingGradients, nil, net(2, "Sigmoid", 1, 1e-9, 1), false},
		// A recurrent net's depth is in time: its rows are not a chain.
		{"exploding, but recurrent", ExplodingGradients, nil, with(net(10, "ReLU", 1, 128, 1), func(r *monitor.LayerRow) { r.Kind = "FusedRecurrent" }), false},
		{"vanishing, but recurrent", VanishingGradients, nil, with(net(10, "Sigmoid", 1, 0.013, 1), func(r *monitor.LayerRow) { r.Kind = "FusedRecurrent" }), false},
		{"dead twice", DeadUnits, with(healthy, func(r *monitor.LayerRow) { r.Dead = 0.8 }), with(healthy, func(r *monitor.LayerRow) { r.Dead = 0.9 }), true},
		{"dead once", DeadUnits, healthy, with(healthy, func(r *monitor.LayerRow) { r.Dead = 0.9 }), false},
		{"dead at the threshold", DeadUnits, with(healthy, func(r *monitor.LayerRow) { r.Dead = 0.75 }), with(healthy, func(r *monitor.LayerRow) { r.Dead = 0.75 }), false},
		{"half dead after pretraining", DeadUnits, with(healthy, func(r *monitor.LayerRow) { r.Dead = 0.56 }), with(healthy, func(r *monitor.LayerRow) { r.Dead = 0.56 }), false},
		{"saturated twice", SaturatedUnits, with(net(3, "Sigmoid", 1, 0.1, 1), func(r *monitor.LayerRow) { r.Saturated = 0.9 }),
			with(net(3, "Sigmoid", 1, 0.1, 100), func(r *monitor.LayerRow) { r.Saturated = 0.6 }), true},
		{"saturated once", SaturatedUnits, net(3, "Sigmoid", 1, 0.1, 1),
			with(net(3, "Sigmoid", 1, 0.1, 100), func(r *monitor.LayerRow) { r.Saturated = 0.6 }), false},
		{"huge update", LRTooHigh, nil, with(healthy, func(r *monitor.LayerRow) { r.UpdateRatio = 0.5 }), true},
		{"large but fine update", LRTooHigh, nil, with(healthy, func(r *monitor.LayerRow) { r.UpdateRatio = 0.05 }), false},
		{"tiny updates twice", LRTooLow, setAll(healthy, 1e-7), setAll(healthy, 1e-6), true},
		{"tiny updates once", LRTooLow, healthy, setAll(healthy, 1e-6), false},
	} {
		var buf bytes.Buffer
		d := New(&buf)
		if c.prev != nil {
			d.Layers(c.prev)
			buf.Reset()
			d.fired = map[Kind]bool{}
			d.findings = nil
		}
		d.Layers(c.rows)
		got := false
		for _, f := range d.Findings() {
			if f.Kind == c.kind {
				got = true
			} else if c.kind == "" || f.Kind != c.kind {
				t.Errorf("%s: unexpected finding %s", c.name, f)
			}
		}
		if got != c.fire {
			t.Errorf("%s: %s fired %v, want %v\n%s", c.name, c.kind, got, c.fire, buf.String())
		}
		if c.fire && !strings.HasPrefix(buf.String(), "diagnosis: "+string(c.kind)+": ") {
			t.Errorf("%s: printed %q", c.name, buf.String())
		}
	}
}

func setAll(rows []monitor.LayerRow, ratio float64) []monitor.LayerRow {
	out := append([]monitor.LayerRow(nil), rows...)
	for i := range out {
		out[i].UpdateRatio = ratio
	}
	return out
}

// TestOneLayerStillMoves: lr-too-low needs every layer to be still.
func TestOneLayerStillMoves(t *testing.T) {
	healthy := net(3, "ReLU", 0.2, 0.03, 100)
	rows := setAll(healthy, 1e-7)
	rows[2].UpdateRatio = 1e-3
	if _, ok := UpdatesTooSmall(setAll(healthy, 1e-7), rows); ok {
		t.Error("lr-too-low fired while the last layer moves at 1e-3")
	}
}

// TestVanishingNamesLayersAndFactor: the message names the starved
// layers and the per-layer factor.
func TestVanishingNamesLayersAndFactor(t *testing.T) {
	f, ok := Vanishing(net(10, "Sigmoid", 1, 0.013, 1))
	if !ok {
		t.Fatal("no finding")
	}
	for _, want := range []string{"×0.013 per layer", "layers 0, 2, 4, 6, 8, 10, 12 (7 of 10)", "sigmoid' is at most 1/4", "xavier_uniform"} {
		if !strings.Contains(f.String(), want) {
			t.Errorf("%q lacks %q", f, want)
		}
	}
	e, ok := Exploding(net(10, "ReLU", 1, 128, 1))
	if !ok || !strings.Contains(e.String(), "sqrt(2/fan_in) = 0.0884 for fan_in 256") {
		t.Errorf("exploding: %q", e)
	}
}

// TestStepRules: a loss that rises, a plateau, and their healthy twins.
func TestStepRules(t *testing.T) {
	curve := func(f func(i int) float64, n int) []monitor.StepRow {
		rows := make([]monitor.StepRow, n)
		for i := range rows {
			rows[i] = monitor.StepRow{Step: 10 * (i + 1), Loss: f(i), LR: 0.1}
		}
		return rows
	}
	for _, c := range []struct {
		name string
		kind Kind
		rows []monitor.StepRow
		fire bool
	}{
		{"falling", "", curve(func(i int) float64 { return 2.3 * math.Exp(-float64(i)/10) }, 60), false},
		{"converged low", "", curve(func(i int) float64 { return 0.05 + 0.01*float64(i%3) }, 60), false},
		{"rising", LRTooHigh, curve(func(i int) float64 { return 2.3 - 0.3*float64(i) + 0.6*float64(max(0, i-4)*max(0, i-4)) }, 10), true},
		{"noisy low", LRTooHigh, curve(func(i int) float64 { return 0.1 + 0.3*float64(i%2) }, 10), false},
		{"stuck at chance", LossPlateau, curve(func(i int) float64 { return 2.30 + 0.001*float64(i%2) }, 40), true},
		{"slow but improving", LossPlateau, curve(func(i int) float64 { return 2.3 - 0.01*float64(i) }, 40), false},
	} {
		d := New()
		for _, r := range c.rows {
			d.Steps(r)
		}
		got := false
		for _, f := range d.Findings() {
			if f.Kind == c.kind {
				got = true
			} else {
				t.Errorf("%s: unexpected finding %s", c.name, f)
			}
		}
		if got != c.fire {
			t.Errorf("%s: %s fired %v, want %v", c.name, c.kind, got, c.fire)
		}
	}
}

// TestOncePerKind: a kind is reported once however often it holds.
func TestOncePerKind(t *testing.T) {
	var buf bytes.Buffer
	d := New(&buf)
	for range 3 {
		d.Layers(net(10, "Sigmoid", 1, 0.013, 1))
	}
	if n := strings.Count(buf.String(), "diagnosis: vanishing-gradients"); n != 1 {
		t.Errorf("printed %d times:\n%s", n, buf.String())
	}
}
