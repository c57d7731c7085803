package kernel

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// TestOptimizerStepsMatchPyTorch runs AdamStep and SGDStep along PyTorch's
// trajectories, AMSGrad and maximize included. Adam agrees bit for bit here; ATen's add_ with alpha (SGD's
// p.add_(d_p, alpha=-lr)) is a fused multiply-add in its vector loop and
// these kernels do not fuse, so SGD may differ by an ulp or two per step:
// after 5 steps we allow 4e-7 of the parameter scale (about 3 float32 ulps
// at 1).
func TestOptimizerStepsMatchPyTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/optstep.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []struct {
			Name, Optimizer string
			Hyper           struct {
				LR, Eps, Beta1, Beta2, Momentum, Dampening float64
				WeightDecay                                float64 `json:"weight_decay"`
				Nesterov, Amsgrad, Maximize                bool
			}
			P0         []float32
			Grads      [][]float32
			Trajectory [][]float32
		}
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) != len(adamCases)+len(sgdCases) {
		t.Fatalf("%d golden cases, want one per test case (%d)", len(g.Cases), len(adamCases)+len(sgdCases))
	}
	for _, isa := range vectorISAs() {
		withISA(t, isa)
		for _, c := range g.Cases {
			h := c.Hyper
			n := len(c.P0)
			p, m, v := clone(c.P0), make([]float32, n), make([]float32, n)
			var vmax []float32
			if h.Amsgrad {
				vmax = make([]float32, n)
			}
			for step, grad := range c.Grads {
				switch c.Optimizer {
				case "Adam", "AdamW":
					AdamStep(p, grad, m, v, vmax, AdamParams{LR: h.LR, Beta1: h.Beta1, Beta2: h.Beta2, Eps: h.Eps,
						WeightDecay: h.WeightDecay, Decoupled: c.Optimizer == "AdamW", Maximize: h.Maximize}, step+1)
				case "SGD":
					SGDStep(p, grad, m, SGDParams{LR: h.LR, Momentum: h.Momentum, Dampening: h.Dampening,
						WeightDecay: h.WeightDecay, Nesterov: h.Nesterov, Maximize: h.Maximize}, step == 0)
				default:
					t.Fatalf("unknown optimizer %q", c.Optimizer)
				}
				want := c.Trajectory[step]
				for i := range p {
					if d := math.Abs(float64(p[i] - want[i])); d > 4e-7*math.Max(1, math.Abs(float64(want[i]))) {
						t.Fatalf("isa=%d %s step %d: p[%d] = %v, PyTorch %v", isa, c.Name, step+1, i, p[i], want[i])
					}
				}
			}
		}
	}
}
