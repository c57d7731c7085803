package monitor

import (
	"math"
	"slices"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/train"
)

// A layer, as the recorder sees it on the tape, is a node whose second
// input is a trained weight (Linear, Conv2d, MatMul; a recurrent layer's
// input product, a Linear with weight_ih_l0, and its recurrence,
// FusedRecurrent with weight_hh_l0): its output is the layer's output y_l
// (before the activation, as in the lab's variance experiment), the
// gradient reaching y_l is the lecture's backward signal, and the
// activation that consumes y_l, if any, tells dead and saturated units. A
// weight used again later on the tape (an unrolled recurrent layer's
// W_hh at every step) is one layer, at its first use.
type probe struct {
	weight *autograd.Var[float32]
	before []float32 // the weights before the update
	param  int       // the weight's index in StepStats.Params, -1 if absent
	quiet  []int32   // scratch of deadFraction: units not yet seen positive
}

// Saturation thresholds: a sigmoid output within SaturatedSigmoid of 0 or 1,
// or a tanh output within SaturatedTanh of ±1, has a derivative below
// about 0.01 (σ' = σ(1-σ) ≈ 0.0099 at σ = 0.99; tanh' = 1-t² ≈ 0.02 at
// |t| = 0.99): the unit passes almost no gradient (LeCun et al., Efficient
// BackProp, 1998, section 4.4).
const (
	SaturatedSigmoid = 0.01
	SaturatedTanh    = 0.01
)

// observeLayers measures what needs this step's tape and the weights
// before the update; finishLayers adds the update ratio after it.
func (r *Recorder) observeLayers(s *train.StepStats) {
	n := 0
	for i := range s.Tape {
		nd := &s.Tape[i]
		w := nd.In[1]
		if !isWeight(w) || slices.ContainsFunc(r.probes[:n], func(p probe) bool { return p.weight == w }) {
			continue
		}
		if n == len(r.probes) {
			r.probes = append(r.probes, probe{})
			r.rows = append(r.rows, LayerRow{})
		}
		p := &r.probes[n]
		if p.weight != w {
			*p = probe{weight: w, before: make([]float32, w.Value.Len()), param: slices.Index(s.Params, w)}
		}
		row := &r.rows[n]
		*row = LayerRow{Epoch: s.Epoch, Step: s.Step, Layer: strings.TrimSuffix(w.Name, ".weight"), Kind: nd.Op.Name(),
			FanIn: fanIn(w), Dead: math.NaN(), Saturated: math.NaN()}
		copy(p.before, w.Value.Data())
		row.WeightNorm = math.Sqrt(kernel.SumSquares(p.before))
		if p.param >= 0 && p.param < len(r.gradSq) {
			row.GradNorm = math.Sqrt(r.gradSq[p.param])
		} else {
			row.GradNorm = math.Sqrt(kernel.SumSquares(w.Grad.Data()))
		}
		y := nd.Out
		row.OutMean, row.OutVar = meanVar(y.Value.Data())
		if overwritten(s.Tape[i+1:], y) {
			row.OutMean, row.OutVar = math.NaN(), math.NaN()
		}
		row.GradOutVar = math.NaN()
		if y.Grad != nil {
			_, row.GradOutVar = meanVar(y.Grad.Data()[:y.Value.Len()])
		}
		if act := consumer(s.Tape[i+1:], y); act != nil {
			row.Act = act.Op.Name()
			switch row.Act {
			case "ReLU":
				row.Dead = p.deadFraction(act.Out)
			case "Sigmoid":
				row.Saturated = saturated(act.Out.Value.Data(), 0+SaturatedSigmoid, 1-SaturatedSigmoid)
			case "Tanh":
				row.Saturated = saturated(act.Out.Value.Data(), -1+SaturatedTanh, 1-SaturatedTanh)
			}
		}
		n++
	}
	r.rows = r.rows[:n]
	r.pending = n > 0
}

// finishLayers adds |w_after - w_before| / |w_before| and writes the rows.
func (r *Recorder) finishLayers(s *train.StepStats) {
	r.pending = false
	for i := range r.rows {
		p := &r.probes[i]
		sq := kernel.SquaredDistance(p.weight.Value.Data(), p.before)
		r.rows[i].UpdateRatio = math.Sqrt(sq) / r.rows[i].WeightNorm
		r.buf = r.rows[i].appendCSV(r.buf[:0])
		r.layers.write(r.buf)
	}
	r.layers.flush()
	for _, w := range r.watchers {
		w.Layers(r.rows)
	}
}

// isWeight reports whether v is a trained weight: a parameter of rank 2
// or more with a weight's name (IsWeightName).
func isWeight(v *autograd.Var[float32]) bool {
	return v != nil && v.IsLeaf() && v.RequiresGrad() && v.Grad != nil && len(v.Shape()) >= 2 &&
		IsWeightName(v.Name)
}

// IsWeightName reports whether a parameter's name is a weight's in
// PyTorch's naming: its last part is "weight", or begins with "weight_"
// as a recurrent layer's weight_ih_l0 and weight_hh_l1_reverse do (biases
// and norms' scales are not weights here).
func IsWeightName(name string) bool {
	last := name[strings.LastIndexByte(name, '.')+1:]
	return last == "weight" || strings.HasPrefix(last, "weight_")
}

// overwritten reports whether y's values were replaced after it was
// recorded: the fused recurrent layer writes its gates' activations over
// the input product it is handed (autograd.FusedRecurrentInPlace), so
// that product's statistics are gone by the time the step is observed.
func overwritten(rest []autograd.Node[float32], y *autograd.Var[float32]) bool {
	for i := range rest {
		if rest[i].In[0] == y {
			return autograd.OverwritesInput(&rest[i])
		}
	}
	return false
}

// fanIn is the number of inputs of one output unit: all dimensions of the
// weight but the first (PyTorch's _calculate_fan_in_and_fan_out).
func fanIn(w *autograd.Var[float32]) int {
	sh := w.Shape()
	n := 1
	for _, d := range sh[1:] {
		n *= d
	}
	return n
}

// consumer returns the first element-wise activation applied to y.
func consumer(rest []autograd.Node[float32], y *autograd.Var[float32]) *autograd.Node[float32] {
	for i := range rest {
		if rest[i].In[0] == y {
			switch rest[i].Op.Name() {
			case "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "GELU":
				return &rest[i]
			}
			return nil
		}
	}
	return nil
}

// deadFraction is the fraction of units (dimension 1: features or
// channels) whose ReLU output is zero for every example and position of
// the batch. It keeps the units that have not fired yet and drops each as
// soon as it does: after a few examples only the dead ones are left to
// read, so the batch is mostly skipped.
func (p *probe) deadFraction(out *autograd.Var[float32]) float64 {
	sh := out.Shape()
	if len(sh) < 2 {
		return math.NaN()
	}
	units, inner := sh[1], 1
	for _, d := range sh[2:] {
		inner *= d
	}
	if cap(p.quiet) < units {
		p.quiet = make([]int32, units)
	}
	quiet := p.quiet[:units]
	for u := range quiet {
		quiet[u] = int32(u)
	}
	d := out.Value.Data()
	// d is [examples, units, inner...]: one example's units at a time.
	for ex := 0; ex+units*inner <= len(d) && len(quiet) > 0; ex += units * inner {
		k := 0
		for _, u := range quiet {
			if !anyPositive(d[ex+int(u)*inner : ex+(int(u)+1)*inner]) {
				quiet[k] = u
				k++
			}
		}
		quiet = quiet[:k]
	}
	return float64(len(quiet)) / float64(units)
}

func anyPositive(xs []float32) bool {
	for _, v := range xs {
		if v > 0 {
			return true
		}
	}
	return false
}

// saturated is the fraction of xs outside [lo, hi].
func saturated(xs []float32, lo, hi float64) float64 {
	n := 0
	l, h := float32(lo), float32(hi)
	for _, v := range xs {
		if v < l || v > h {
			n++
		}
	}
	return float64(n) / float64(max(len(xs), 1))
}

// meanVar is the mean and the population variance of xs, in float64, in
// one pass: the sums of d = x - x[0] (the shifted-data algorithm, so that
// a mean far from zero costs no precision), var = (Σd² - (Σd)²/n) / n.
func meanVar(xs []float32) (mean, variance float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	k := float64(xs[0])
	s, q := kernel.Moments(xs, k)
	n := float64(len(xs))
	return k + s/n, max(q-s*s/n, 0) / n
}
