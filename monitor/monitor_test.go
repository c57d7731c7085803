package monitor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// randomImages returns n random 28×28 images with random labels.
func randomImages(t testing.TB, n int, seed uint64) data.Dataset {
	rng := tensor.NewRand(seed)
	px := make([]float32, n*28*28)
	for i := range px {
		px[i] = rng.Float32()
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	ds, err := data.NewImages(px, labels, 28, 28, 10)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// newTrainer builds a small MLP (784-hidden-10) trained by plain SGD.
func newTrainer(t testing.TB, ds data.Dataset, hidden []int, act string, lr float64, batch int) *train.Trainer {
	model, err := models.MLP[float32](rand.New(rand.NewPCG(1, 2)), 28*28, hidden, 10, models.Options{Activation: act})
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: lr})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := train.NewTrainer(model, opt, ds, ds, true, 1, train.Options{BatchSize: batch})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// runSteps takes n steps (or what is left of the run).
func runSteps(t testing.TB, tr *train.Trainer, n int) {
	tr.Options.StopAfterSteps = n
	if err := tr.Run(context.Background()); err != nil && !errors.Is(err, train.ErrInterrupted) {
		t.Fatal(err)
	}
}

// TestRecorderRows trains 25 steps of plain SGD and checks the rows
// against values computed here from the model: the per-layer rows of step
// 20 (the last kept tape) against the weights before and after that step.
func TestRecorderRows(t *testing.T) {
	dir := t.TempDir()
	ds := randomImages(t, 16*25, 1)
	tr := newTrainer(t, ds, []int{32, 16}, "relu", 0.1, 16)
	rec, err := New(dir, Options{Every: 5, LayerEvery: 20, Bins: 7})
	if err != nil {
		t.Fatal(err)
	}
	tr.Stats = rec
	runSteps(t, tr, 19)
	params := tr.Model.Parameters()
	before := make([][]float32, len(params))
	for i, p := range params {
		before[i] = append([]float32(nil), p.Value.Data()...)
	}
	runSteps(t, tr, 1) // step 20
	after := make([][]float32, len(params))
	for i, p := range params {
		after[i] = append([]float32(nil), p.Value.Data()...)
	}
	runSteps(t, tr, 5) // steps 21..25
	runSteps(t, tr, 0) // the end of the epoch
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	steps, err := ReadSteps(filepath.Join(dir, StepsFile))
	if err != nil {
		t.Fatal(err)
	}
	want := []int{1, 5, 10, 15, 20, 25}
	if len(steps) != len(want) {
		t.Fatalf("steps.csv has %d rows, want %d: %+v", len(steps), len(want), steps)
	}
	for i, r := range steps {
		if r.Step != want[i] || r.LR != 0.1 || !(r.GradNorm > 0) || !(r.Loss > 0) || math.Abs(r.EpochFrac-float64(r.Step)/25) > 1e-9 {
			t.Errorf("row %d: %+v", i, r)
		}
	}
	layers, err := ReadLayers(filepath.Join(dir, LayersFile))
	if err != nil {
		t.Fatal(err)
	}
	// Steps 1, 2, 4, ..., 18 (every LayerEvery/10 before LayerEvery) and 20.
	if len(layers) != 3*11 || layers[3].Step != 2 || layers[30].Step != 20 {
		t.Fatalf("layers.csv has %d rows, want 3 layers × steps 1, 2, 4, ..., 18, 20", len(layers))
	}
	// Step 20: the weight norms before the update and the update ratio.
	for i, r := range layers[30:] {
		w0, w1 := before[2*i], after[2*i]
		var n0, d float64
		for j := range w0 {
			n0 += float64(w0[j]) * float64(w0[j])
			d += (float64(w1[j]) - float64(w0[j])) * (float64(w1[j]) - float64(w0[j]))
		}
		if r.Step != 20 || r.Layer != []string{"0", "2", "4"}[i] || r.Kind != "Linear" {
			t.Errorf("row %+v", r)
		}
		if !close(r.WeightNorm, math.Sqrt(n0), 1e-5) || !close(r.UpdateRatio, math.Sqrt(d/n0), 1e-4) {
			t.Errorf("layer %s: weight norm %g update ratio %g, want %g %g", r.Layer, r.WeightNorm, r.UpdateRatio, math.Sqrt(n0), math.Sqrt(d/n0))
		}
		// Plain SGD: the update is lr·g, so the ratio is lr·|g|/|w|.
		if !close(r.UpdateRatio, 0.1*r.GradNorm/r.WeightNorm, 1e-4) {
			t.Errorf("layer %s: update ratio %g, lr·|g|/|w| = %g", r.Layer, r.UpdateRatio, 0.1*r.GradNorm/r.WeightNorm)
		}
		if wantAct := []string{"ReLU", "ReLU", ""}[i]; r.Act != wantAct || math.IsNaN(r.Dead) != (wantAct == "") {
			t.Errorf("layer %s: act %q dead %g", r.Layer, r.Act, r.Dead)
		}
		if !(r.OutVar > 0) || !(r.GradOutVar > 0) || !math.IsNaN(r.Saturated) {
			t.Errorf("layer %s: %+v", r.Layer, r)
		}
	}
	hs, err := ReadHistograms(filepath.Join(dir, HistogramsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != len(params) {
		t.Fatalf("%d histograms, want one per parameter (%d)", len(hs), len(params))
	}
	for i, h := range hs {
		sum := 0
		for _, c := range h.Counts {
			sum += c
		}
		if h.Param != params[i].Name || len(h.Counts) != 7 || sum != params[i].Value.Len() || h.Lo >= h.Hi {
			t.Errorf("histogram %+v", h)
		}
	}
}

func close(a, b, rel float64) bool { return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b)) }

// TestLayerStatistics checks the forward and backward variance, dead units
// and saturation against direct computation on a kept tape.
func TestLayerStatistics(t *testing.T) {
	for _, act := range []string{"relu", "sigmoid", "tanh"} {
		dir := t.TempDir()
		ds := randomImages(t, 8, 3)
		tr := newTrainer(t, ds, []int{12}, act, 0.1, 8)
		// Kill unit 3 of the ReLU layer: zero weights, negative bias.
		w, b := tr.Model.Parameters()[0], tr.Model.Parameters()[1]
		clear(w.Value.Data()[3*784 : 4*784])
		b.Value.Data()[3] = -1
		// Saturate unit 5 of the sigmoid/tanh layer: a large bias.
		b.Value.Data()[5] = 50
		w0, b0 := append([]float32(nil), w.Value.Data()...), append([]float32(nil), b.Value.Data()...)
		rec, err := New(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var seen []LayerRow
		rec.Watch(watchFunc(func(rows []LayerRow) { seen = append(seen, rows...) }))
		tr.Stats = rec
		runSteps(t, tr, 1)
		rec.Close()
		if len(seen) != 2 {
			t.Fatalf("%s: %d layer rows, want 2", act, len(seen))
		}
		r := seen[0]
		switch act {
		case "relu":
			// Direct: the units whose pre-activation is <= 0 on all 8 images.
			if want := deadDirect(t, ds, w0, b0, 12); r.Dead != want || want < 1.0/12 {
				t.Errorf("relu: dead fraction %g, want %g (at least unit 3)", r.Dead, want)
			}
		default:
			if r.Saturated < 8.0/(8*12) || r.Saturated > 0.5 {
				t.Errorf("%s: saturated fraction %g, want at least unit 5 (1/12)", act, r.Saturated)
			}
		}
		if r.OutVar <= 0 || r.GradOutVar <= 0 || seen[1].GradOutVar <= 0 {
			t.Errorf("%s: %+v", act, seen)
		}
	}
}

// deadFraction counts the units of x·Wᵀ+b that are <= 0 for every image
// of ds. b is read before the step (the recorder sees the forward pass).
func deadDirect(t *testing.T, ds data.Dataset, w, b []float32, units int) float64 {
	dead := 0
	for u := range units {
		fired := false
		for i := range ds.Len() {
			img, lab := make([]float32, 784), make([]int, 1)
			ds.Fill(img, lab, []int{i})
			s := float64(b[u])
			for j, v := range img {
				s += float64(v) * float64(w[u*784+j])
			}
			fired = fired || s > 0
		}
		if !fired {
			dead++
		}
	}
	return float64(dead) / float64(units)
}

type watchFunc func([]LayerRow)

func (f watchFunc) Steps(StepRow)          {}
func (f watchFunc) Layers(rows []LayerRow) { f(rows) }

// TestMeanVarHistogram checks the helpers on hand-made numbers.
func TestMeanVarHistogram(t *testing.T) {
	m, v := meanVar([]float32{1, 2, 3, 4})
	if m != 2.5 || v != 1.25 {
		t.Errorf("meanVar = %g %g, want 2.5 1.25", m, v)
	}
	h := NewHistogram([]float32{0, 0.1, 0.5, 0.9, 1}, 2)
	if h.Lo != 0 || h.Hi != 1 || h.Counts[0] != 2 || h.Counts[1] != 3 {
		t.Errorf("histogram %+v", h)
	}
	if s := kernel.SumSquares([]float32{1, 2, 3, 4, 5}); s != 55 {
		t.Errorf("sumSquares = %g", s)
	}
	// A mean far from zero costs the one-pass variance no precision.
	if m, v := meanVar([]float32{1e4 + 1, 1e4 + 2, 1e4 + 3, 1e4 + 4}); m != 1e4+2.5 || v != 1.25 {
		t.Errorf("meanVar = %g %g, want 10002.5 1.25", m, v)
	}
	// Every value its own bin, the maximum in the last; a constant array
	// in the last bin; no range with a NaN or an infinity.
	h = NewHistogram([]float32{-1, 0.5, 2, -0.2, 1.1}, 3)
	if h.Lo != -1 || h.Hi != 2 || fmt.Sprint(h.Counts) != "[2 1 2]" {
		t.Errorf("histogram %+v, want [-1, 2] with counts [2 1 2]", h)
	}
	if h := NewHistogram([]float32{3, 3, 3}, 4); h.Lo != 3 || h.Hi != 3 || fmt.Sprint(h.Counts) != "[0 0 0 3]" {
		t.Errorf("constant histogram %+v", h)
	}
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		for at := range 3 {
			xs := []float32{1, 2, 3}
			xs[at] = bad
			if h := NewHistogram(xs, 2); h.Lo != 0 || h.Hi != 0 || h.Counts[0]+h.Counts[1] != 0 {
				t.Errorf("histogram of %v: %+v, want no range and no counts", xs, h)
			}
		}
	}
}

// TestReadRepeatedSteps: a resumed run appends rows for steps already
// written; readers keep the last.
func TestReadRepeatedSteps(t *testing.T) {
	dir := t.TempDir()
	steps := StepsHeader + "\n1,10,0.1,2,0.1,,1\n1,20,0.2,1.5,0.1,,1\n1,20,0.2,1.4,0.1,,1\n1,30,0.3,1,0.1,,1\n1,40,0.4,9"
	layers := LayersHeader + "\n" +
		"1,1,0,Linear,ReLU,784,1,1,1,0,1,1,0,\n1,1,2,Linear,,512,1,1,1,0,1,1,,\n" +
		"1,2,0,Linear,ReLU,784,2,1,1,0,1,1,0,\n1,2,2,Linear,,512,2,1,1,0,1,1,,\n" +
		"1,2,0,Linear,ReLU,784,3,1,1,0,1,1,0,\n1,2,2,Linear,,512,3,1,1,0,1,1,,\n"
	os.WriteFile(filepath.Join(dir, StepsFile), []byte(steps), 0o644)
	os.WriteFile(filepath.Join(dir, LayersFile), []byte(layers), 0o644)
	s, err := ReadSteps(filepath.Join(dir, StepsFile))
	if err != nil || len(s) != 3 || s[1].Loss != 1.4 || s[2].Step != 30 {
		t.Errorf("ReadSteps = %+v, %v (want steps 10, 20 with loss 1.4, 30; the unfinished row left out)", s, err)
	}
	l, err := ReadLayers(filepath.Join(dir, LayersFile))
	if err != nil || len(l) != 4 || l[2].WeightNorm != 3 || l[3].WeightNorm != 3 {
		t.Errorf("ReadLayers = %+v, %v", l, err)
	}
}

// TestWarmSinkAllocatesNothing: Observe and Stepped on a kept tape (the
// most expensive step) allocate nothing once warm, so the trainer's warm
// step stays allocation-free with a Recorder attached.
func TestWarmSinkAllocatesNothing(t *testing.T) {
	ds := randomImages(t, 8*100, 1)
	tr := newTrainer(t, ds, []int{32, 16}, "relu", 0.01, 8)
	tr.Options.Epochs = 1000 // no epoch ends while measuring
	rec, err := New(t.TempDir(), Options{Every: 1, LayerEvery: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	tr.Stats = rec
	runSteps(t, tr, 2)
	allocs := testing.AllocsPerRun(3, func() { runSteps(t, tr, 1) })
	// The same with a sink that does nothing but keep the tape: what Run
	// itself allocates per call (progress, checkpoint bookkeeping).
	tr.Stats = nopSink{}
	runSteps(t, tr, 1)
	base := testing.AllocsPerRun(3, func() { runSteps(t, tr, 1) })
	if allocs != base {
		t.Errorf("a step with the recorder allocates %v times, with a sink that does nothing %v", allocs, base)
	}
}

type nopSink struct{}

func (nopSink) WantTape(int) bool                                     { return true }
func (nopSink) Observe(*train.StepStats)                              {}
func (nopSink) Stepped(*train.StepStats)                              {}
func (nopSink) EndEpoch(train.EpochMetrics, []*autograd.Var[float32]) {}

// TestRecurrentLayerRows: a recurrent model's weights are layers too. The
// fused LSTM records its input product (a Linear with weight_ih_l0, whose
// output the layer overwrote with its gates: no output statistics) and its
// recurrence (FusedRecurrent with weight_hh_l0); unrolled, W_hh is used at
// every step and is still one layer.
func TestRecurrentLayerRows(t *testing.T) {
	for _, unrolled := range []bool{false, true} {
		t.Run(fmt.Sprintf("unrolled=%v", unrolled), func(t *testing.T) {
			dir := t.TempDir()
			ds := randomImages(t, 8*3, 1)
			model, err := models.NewSeqNet[float32](rand.New(rand.NewPCG(1, 2)), "lstm", models.SeqOptions{Hidden: 8, Unrolled: unrolled})
			if err != nil {
				t.Fatal(err)
			}
			opt, err := optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.1})
			if err != nil {
				t.Fatal(err)
			}
			tr, err := train.NewTrainer(model, opt, ds, ds, false, 1, train.Options{BatchSize: 8})
			if err != nil {
				t.Fatal(err)
			}
			rec, err := New(dir, Options{Every: 1, LayerEvery: 1, Bins: 4})
			if err != nil {
				t.Fatal(err)
			}
			tr.Stats = rec
			runSteps(t, tr, 2)
			if err := rec.Close(); err != nil {
				t.Fatal(err)
			}
			rows, err := ReadLayers(filepath.Join(dir, LayersFile))
			if err != nil {
				t.Fatal(err)
			}
			var last []LayerRow
			for _, r := range rows {
				if r.Step == 2 {
					last = append(last, r)
				}
			}
			hhKind := "FusedRecurrent"
			if unrolled {
				hhKind = "Linear"
			}
			want := []struct{ layer, kind string }{{"rnn.weight_ih_l0", "Linear"}, {"rnn.weight_hh_l0", hhKind}, {"fc", "Linear"}}
			if len(last) != len(want) {
				t.Fatalf("step 2 has %d layer rows, want %d: %+v", len(last), len(want), last)
			}
			for i, w := range want {
				r := last[i]
				if r.Layer != w.layer || r.Kind != w.kind || !(r.GradNorm > 0) || !(r.UpdateRatio > 0) || !(r.GradOutVar > 0) {
					t.Errorf("row %d: %+v, want layer %s, kind %s, positive gradient norm, update ratio and gradient variance", i, r, w.layer, w.kind)
				}
			}
			if ih := last[0]; !unrolled && !(math.IsNaN(ih.OutVar) && math.IsNaN(ih.OutMean)) {
				t.Errorf("fused: the input product's output was overwritten by the gates, yet its statistics are %v, %v", ih.OutMean, ih.OutVar)
			}
			if hh := last[1]; !(hh.OutVar > 0) {
				t.Errorf("W_hh's output variance %v", hh.OutVar)
			}
		})
	}
}

// TestIsWeightName: PyTorch's weight names, and what is not one.
func TestIsWeightName(t *testing.T) {
	for name, want := range map[string]bool{
		"weight": true, "0.weight": true, "rnn.weight_ih_l0": true, "rnn.weight_hh_l1_reverse": true,
		"fc.bias": false, "rnn.bias_ih_l0": false, "bn.running_var": false, "weightless.bias": false, "embed.weights": false,
	} {
		if got := IsWeightName(name); got != want {
			t.Errorf("IsWeightName(%q) = %v, want %v", name, got, want)
		}
	}
}
