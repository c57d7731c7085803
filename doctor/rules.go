package doctor

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/descent-ml/descent/monitor"
)

// Thresholds of the rules. Variances are the lecture's D(y) of a layer's
// output and of the gradient reaching it (monitor's out_var and
// grad_out_var).
const (
	// ExplodingRatio: the variance of the signal (forward, last layer over
	// first, or backward, first over last) grew this much across the
	// network: its standard deviation 100-fold. The lecture's example of
	// diag(1.5) weights over 10 layers grows the signal 57.7-fold; the
	// default run's ratios are below 1 (0.03 forward, 6e-4 backward).
	ExplodingRatio = 1e4
	// VanishingRatio: the gradient reaching the first layer has this
	// fraction of the variance of the one reaching the last (its standard
	// deviation 1e-4): with one learning rate for all layers the first
	// ones then barely move. The lecture's diag(0.5) example shrinks the
	// signal 1000-fold (1e-6 in variance) over 10 layers; the default run
	// shows 6e-4 and the README's sigmoid example 8e-6, a 10-layer
	// sigmoid MLP 2e-17.
	VanishingRatio = 1e-8
	// VanishingLayerRatio: layers whose gradient variance is below this
	// fraction of the last layer's are named as starved.
	VanishingLayerRatio = 1e-4
	// DeadFraction: more than this fraction of a ReLU layer's units gave
	// 0 for every example of the batch, in two records in a row: the layer
	// has lost most of its capacity. The default run shows at most 5%; the
	// README's --pretrain autoencoder run keeps 46-56% of its second layer
	// dead over the batch and still trains well (96.8% in one epoch), so
	// half is not yet a finding. (CS231n warns that "as much as 40%" of a
	// network can die with a too high learning rate.)
	DeadFraction = 0.75
	// SaturatedFraction: more than this fraction of a sigmoid or tanh
	// layer's outputs lie in the flat tails (monitor.SaturatedSigmoid), in
	// two records in a row.
	SaturatedFraction = 0.5
	// UpdateRatioHigh: one step changed a layer's weights by more than
	// this fraction of their norm. The usual healthy ratio is about 1e-3
	// (Karpathy, CS231n "Neural Networks Part 3": ratio of updates to
	// weights ~1e-3); 0.1 is 100 times that, the weights are replaced in
	// ten steps.
	UpdateRatioHigh = 0.1
	// UpdateRatioLow: every layer's update ratio stayed below this, 100
	// times under the healthy 1e-3, in two records in a row.
	UpdateRatioLow = 1e-5
	// LossRiseNats and LossRiseFactor: the mean loss of a steps.csv row
	// rose above both minimum + LossRiseNats and LossRiseFactor × minimum
	// of the earlier rows: not noise, the steps overshoot.
	LossRiseNats   = 1.0
	LossRiseFactor = 2.0
	// PlateauRows, PlateauImprovement, PlateauLoss: the mean loss of the
	// last PlateauRows rows of steps.csv is not PlateauImprovement below
	// that of the PlateauRows before, while still above PlateauLoss nats (a
	// trained MNIST classifier is below 0.3; chance level over 10 classes
	// is ln 10 = 2.3).
	PlateauRows        = 20
	PlateauImprovement = 0.01
	PlateauLoss        = 1.0
)

// factors returns the ratios of the gradient variance of consecutive
// layers, from the output back (gvar[l-1]/gvar[l]), and their geometric mean.
func factors(rows []monitor.LayerRow) (each []string, mean float64) {
	for l := len(rows) - 1; l > 0; l-- {
		each = append(each, fmt.Sprintf("%.2g", rows[l-1].GradOutVar/rows[l].GradOutVar))
	}
	total := rows[0].GradOutVar / rows[len(rows)-1].GradOutVar
	return each, math.Pow(total, 1/float64(len(rows)-1))
}

// recurrent reports whether the rows are a recurrent net's: its depth is
// in time, which the per-layer rows do not see (descent lab bptt does), so
// the rules that read the rows as a feed-forward chain stay silent.
func recurrent(rows []monitor.LayerRow) bool {
	return slices.ContainsFunc(rows, func(r monitor.LayerRow) bool { return r.Kind == "FusedRecurrent" })
}

// actOf is the hidden layers' activation, "" when none.
func actOf(rows []monitor.LayerRow) string { return rows[0].Act }

// Exploding fires when the signal's variance grows by ExplodingRatio
// across the network, forward or backward (not for a recurrent net).
func Exploding(rows []monitor.LayerRow) (Finding, bool) {
	n := len(rows)
	if n < 2 || recurrent(rows) {
		return Finding{}, false
	}
	first, last := rows[0], rows[n-1]
	back := first.GradOutVar / last.GradOutVar
	fwd := last.OutVar / first.OutVar
	if !(back > ExplodingRatio || fwd > ExplodingRatio || math.IsInf(first.GradOutVar, 1) || math.IsInf(last.OutVar, 1)) {
		return Finding{}, false
	}
	each, mean := factors(rows)
	what := fmt.Sprintf("the gradient's variance grows ×%.3g per layer going back (%s, from the output back), from %.3g at layer %s to %.3g at layer %s, "+
		"and the outputs' variance from %.3g at layer %s to %.3g at layer %s",
		mean, strings.Join(each, ", "), last.GradOutVar, last.Layer, first.GradOutVar, first.Layer, first.OutVar, first.Layer, last.OutVar, last.Layer)
	fan := rows[min(1, n-1)].FanIn
	why := fmt.Sprintf("each layer multiplies the variance by fan_in·D(w) (halved after a ReLU), so weights too large for their fan-in make it explode "+
		"(the lecture's variance analysis); He initialization would use std sqrt(2/fan_in) = %.3g for fan_in %d, Xavier sqrt(2/(fan_in+fan_out)) for sigmoid/tanh",
		math.Sqrt(2/float64(fan)), fan)
	try := "--init kaiming_normal for ReLU (xavier_uniform for sigmoid/tanh), and --clip-grad-norm 1"
	return Finding{Kind: ExplodingGradients, Step: first.Step, What: what, Why: why, Try: try}, true
}

// Vanishing fires when the gradient reaching the first layer has less
// than VanishingRatio of the variance of the one reaching the last, in a
// feed-forward network of at least three layers.
func Vanishing(rows []monitor.LayerRow) (Finding, bool) {
	n := len(rows)
	if n < 3 || recurrent(rows) {
		return Finding{}, false
	}
	last := rows[n-1]
	if !(rows[0].GradOutVar/last.GradOutVar < VanishingRatio) {
		return Finding{}, false
	}
	var starved []string
	for _, r := range rows[:n-1] {
		if r.GradOutVar/last.GradOutVar < VanishingLayerRatio {
			starved = append(starved, r.Layer)
		}
	}
	each, mean := factors(rows)
	what := fmt.Sprintf("the gradient's variance shrinks ×%.2g per layer going back (%s, from the output back), from %.3g at layer %s to %.3g at layer %s; "+
		"layers %s get less than %.0e of the last layer's",
		mean, strings.Join(each, ", "), last.GradOutVar, last.Layer, rows[0].GradOutVar, rows[0].Layer, layerList(starved, n), VanishingLayerRatio)
	why := "backpropagation multiplies the gradient by every layer's weights and activation derivative; "
	try := "fewer layers, or --act relu with --init kaiming_normal"
	switch actOf(rows) {
	case "Sigmoid", "Tanh":
		why += fmt.Sprintf("%s' is at most %s and PyTorch's default D(w) = 1/(3·fan_in) shrinks the variance further, so the first layers hardly learn",
			strings.ToLower(actOf(rows)), map[string]string{"Sigmoid": "1/4", "Tanh": "1"}[actOf(rows)])
		try = "--init xavier_uniform (Glorot & Bengio, 2010), or --act relu with --init kaiming_normal, or fewer layers"
	case "ReLU":
		why += "ReLU halves the variance and PyTorch's default D(w) = 1/(3·fan_in) divides it by 3 more, ×1/6 per layer (the lecture: ReLU nets need D(w) = 2/fan_in)"
		try = "--init kaiming_normal (He: std sqrt(2/fan_in))"
	default:
		why += "with D(w) below 1/fan_in each layer shrinks the variance (the lecture's variance analysis)"
	}
	return Finding{Kind: VanishingGradients, Step: last.Step, What: what, Why: why, Try: try}, true
}

// persistent names the layers where f holds in both records.
func persistent(prev, rows []monitor.LayerRow, f func(monitor.LayerRow) bool) []string {
	var names []string
	for i, r := range rows {
		if i < len(prev) && prev[i].Layer == r.Layer && f(prev[i]) && f(r) {
			names = append(names, r.Layer)
		}
	}
	return names
}

// Dead fires when a ReLU layer had more than DeadFraction of its units
// dead in two records in a row.
func Dead(prev, rows []monitor.LayerRow) (Finding, bool) {
	names := persistent(prev, rows, func(r monitor.LayerRow) bool { return r.Dead > DeadFraction })
	if len(names) == 0 {
		return Finding{}, false
	}
	worst := 0.0
	for _, r := range rows {
		if r.Dead > worst {
			worst = r.Dead
		}
	}
	return Finding{Kind: DeadUnits, Step: rows[0].Step,
		What: fmt.Sprintf("in layers %s more than %.0f%% of the ReLU units (up to %.0f%%) output 0 for every example of the batch, at steps %d and %d",
			layerList(names, len(rows)), 100*DeadFraction, 100*worst, prev[0].Step, rows[0].Step),
		Why: "a ReLU passes no gradient where its input is negative (ReLU'(y) = 0), so a unit negative on every example is never updated again; " +
			"a too large step that pushed its weights and bias down, or a poor init, puts it there",
		Try: "a lower --lr, --act leaky_relu, or --init kaiming_normal"}, true
}

// Saturated fires when a sigmoid or tanh layer had more than
// SaturatedFraction of its outputs in the flat tails in two records in a
// row.
func Saturated(prev, rows []monitor.LayerRow) (Finding, bool) {
	names := persistent(prev, rows, func(r monitor.LayerRow) bool { return r.Saturated > SaturatedFraction })
	if len(names) == 0 {
		return Finding{}, false
	}
	return Finding{Kind: SaturatedUnits, Step: rows[0].Step,
		What: fmt.Sprintf("in layers %s more than %.0f%% of the %s outputs sit in the flat tails, at steps %d and %d",
			layerList(names, len(rows)), 100*SaturatedFraction, strings.ToLower(actOf(rows)), prev[0].Step, rows[0].Step),
		Why: "there the derivative is below 0.01 (σ' = σ(1-σ)), so almost no gradient passes: inputs to the activation are too large, " +
			"from weights too large for their fan-in or a too large step (LeCun et al., Efficient BackProp, 1998)",
		Try: "--init xavier_uniform, a lower --lr, or --act relu"}, true
}

// UpdatesTooLarge fires when one step changed a layer's weights by more
// than UpdateRatioHigh of their norm.
func UpdatesTooLarge(rows []monitor.LayerRow) (Finding, bool) {
	var names []string
	worst := 0.0
	for _, r := range rows {
		if r.UpdateRatio > UpdateRatioHigh {
			names = append(names, r.Layer)
			worst = math.Max(worst, r.UpdateRatio)
		}
	}
	if len(names) == 0 {
		return Finding{}, false
	}
	return Finding{Kind: LRTooHigh, Step: rows[0].Step,
		What: fmt.Sprintf("at step %d one update changed the weights of layers %s by up to %.3g of their norm (healthy is about 1e-3)",
			rows[0].Step, layerList(names, len(rows)), worst),
		Why: "the step lr·grad is so large that it jumps across the valley instead of descending it: the loss rises or diverges (the lecture: the step size is hard to choose)",
		Try: "a 10× lower --lr (descent lr-find finds one), a warm-up schedule, or --clip-grad-norm 1"}, true
}

// UpdatesTooSmall fires when every layer's update ratio stayed below
// UpdateRatioLow in two records in a row.
func UpdatesTooSmall(prev, rows []monitor.LayerRow) (Finding, bool) {
	names := persistent(prev, rows, func(r monitor.LayerRow) bool { return r.UpdateRatio < UpdateRatioLow })
	if len(names) != len(rows) {
		return Finding{}, false
	}
	best := 0.0
	for _, r := range rows {
		best = math.Max(best, r.UpdateRatio)
	}
	return Finding{Kind: LRTooLow, Step: rows[0].Step,
		What: fmt.Sprintf("at steps %d and %d no layer's weights changed by more than %.2g of their norm per step (healthy is about 1e-3)",
			prev[0].Step, rows[0].Step, best),
		Why: "with so small a step gradient descent needs thousands of times more steps to get anywhere (the lecture: the step size is hard to choose)",
		Try: "a 10-100× higher --lr (descent lr-find finds one), or an adaptive optimizer such as --opt adam"}, true
}

// LossRising fires when a row's mean loss rose above both minLoss +
// LossRiseNats and LossRiseFactor × minLoss, from the third row on.
func LossRising(r monitor.StepRow, minLoss float64, rows int) (Finding, bool) {
	if rows < 3 || !(r.Loss > minLoss+LossRiseNats && r.Loss > LossRiseFactor*minLoss) {
		return Finding{}, false
	}
	return Finding{Kind: LRTooHigh, Step: r.Step,
		What: fmt.Sprintf("the training loss rose to %.3g at step %d from %.3g earlier (lr %.3g)", r.Loss, r.Step, minLoss, r.LR),
		Why:  "the steps overshoot: lr·grad jumps across the valley instead of descending it (the lecture: the step size is hard to choose)",
		Try:  "a 10× lower --lr (descent lr-find finds one), a warm-up schedule, or --clip-grad-norm 1"}, true
}

// Plateau fires when the mean loss of the last PlateauRows rows is not
// PlateauImprovement below that of the PlateauRows before, while above
// PlateauLoss.
func Plateau(rows []monitor.StepRow) (Finding, bool) {
	if len(rows) < 2*PlateauRows {
		return Finding{}, false
	}
	rows = rows[len(rows)-2*PlateauRows:]
	var before, recent float64
	for i, r := range rows {
		if i < PlateauRows {
			before += r.Loss / PlateauRows
		} else {
			recent += r.Loss / PlateauRows
		}
	}
	if !(recent > before*(1-PlateauImprovement) && recent > PlateauLoss) {
		return Finding{}, false
	}
	return Finding{Kind: LossPlateau, Step: rows[len(rows)-1].Step,
		What: fmt.Sprintf("the training loss stays at %.3g from step %d to %d (%.3g before), far above a trained model's",
			recent, rows[PlateauRows].Step, rows[len(rows)-1].Step, before),
		Why: "gradient descent is stuck: the gradients reaching the weights are too small (vanishing, saturated or dead units) or the steps too small or too large to make progress",
		Try: "the other findings first; else a different --lr or --opt adam, or --init kaiming_normal"}, true
}
