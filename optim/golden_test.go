package optim_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/optim"
)

// golden is testdata/golden.json, written by testdata/make_golden.py with
// PyTorch in float64.
type golden struct {
	Torch string `json:"torch"`
	Cases []struct {
		Opt      string         `json:"opt"`
		Settings map[string]any `json:"settings"`
		Problem  string         `json:"problem"`
		Start    []float64      `json:"start"`
		Grads    [][]float64    `json:"grads"`
		Traj     [][]float64    `json:"traj"`
		Groups   []struct {
			Size        int     `json:"size"`
			LR          float64 `json:"lr"`
			WeightDecay float64 `json:"weight_decay"`
		} `json:"groups"`
	} `json:"cases"`
	Clip []struct {
		MaxNorm float64     `json:"max_norm"`
		Grads   [][]float64 `json:"grads"`
		Norm    float64     `json:"norm"`
		Clipped [][]float64 `json:"clipped"`
	} `json:"clip"`
}

func loadGolden(t *testing.T) *golden {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

// relErr is |a-b| relative to max(|b|, 1e-3): the trajectories' values are
// of order 1, and near zero an absolute error of 1e-15 is what counts.
func relErr(a, b float64) float64 { return math.Abs(a-b) / math.Max(math.Abs(b), 1e-3) }

// TestGoldenTrajectories feeds PyTorch's gradients to each optimizer and
// compares every step's parameters with PyTorch's, to float64 precision.
func TestGoldenTrajectories(t *testing.T) {
	g := loadGolden(t)
	const tol = 1e-12
	for _, c := range g.Cases {
		name := fmt.Sprintf("%s/%s/%v", c.Problem, c.Opt, c.Settings)
		if c.Groups != nil {
			name += "/groups"
		}
		t.Run(name, func(t *testing.T) {
			var params []*autograd.Var[float64]
			var opt optim.Optimizer[float64]
			var err error
			settings := stringSettings(c.Settings)
			if c.Groups == nil {
				params = []*autograd.Var[float64]{vecParam("p", c.Start...)}
				opt, err = newOptimizer(c.Opt, params, settings)
			} else {
				off := 0
				for i, gr := range c.Groups {
					p := vecParam(fmt.Sprint(i), c.Start[off:off+gr.Size]...)
					params = append(params, p)
					off += gr.Size
					if i == 0 {
						settings["lr"], settings["weight_decay"] = fmt.Sprint(gr.LR), fmt.Sprint(gr.WeightDecay)
						opt, err = newOptimizer(c.Opt, params[:1], settings)
					} else if err == nil {
						err = opt.(interface {
							AddGroup([]*autograd.Var[float64], float64, float64) error
						}).AddGroup(params[i:i+1], gr.LR, gr.WeightDecay)
					}
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for step, grads := range c.Grads {
				flatSet(params, grads, true)
				opt.Step()
				got := flatGet(params)
				for i, want := range c.Traj[step] {
					e := relErr(got[i], want)
					worst = max(worst, e)
					if e > tol {
						t.Fatalf("step %d: param %d = %v, PyTorch %v (rel err %.2g)", step+1, i, got[i], want, e)
					}
				}
			}
			t.Logf("max rel err over %d steps: %.2g", len(c.Grads), worst)
		})
	}
}

// flatSet writes vals into the gradients (grad) or values of params in order.
func flatSet(params []*autograd.Var[float64], vals []float64, grad bool) {
	off := 0
	for _, p := range params {
		dst := p.Value.Data()
		if grad {
			dst = p.Grad.Data()
		}
		off += copy(dst, vals[off:])
	}
}

func flatGet(params []*autograd.Var[float64]) []float64 {
	var out []float64
	for _, p := range params {
		out = append(out, p.Value.Data()...)
	}
	return out
}

// TestGoldenClipGradNorm compares ClipGradNorm's norm and clipped
// gradients with torch.nn.utils.clip_grad_norm_.
func TestGoldenClipGradNorm(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Clip {
		var params []*autograd.Var[float64]
		for _, gr := range c.Grads {
			p := vecParam("p", make([]float64, len(gr))...)
			copy(p.Grad.Data(), gr)
			params = append(params, p)
		}
		norm := optim.ClipGradNorm(params, c.MaxNorm)
		if relErr(norm, c.Norm) > 1e-14 {
			t.Errorf("max_norm %v: norm %v, PyTorch %v", c.MaxNorm, norm, c.Norm)
		}
		for i, p := range params {
			for j, v := range p.Grad.Data() {
				if relErr(v, c.Clipped[i][j]) > 1e-14 {
					t.Errorf("max_norm %v: grad %d[%d] = %v, PyTorch %v", c.MaxNorm, i, j, v, c.Clipped[i][j])
				}
			}
		}
	}
}
