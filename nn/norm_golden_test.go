package nn_test

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
)

// normGolden is testdata/norm_golden.json, written by
// testdata/make_norm_golden.py with PyTorch.
type normGolden struct {
	Cases []struct {
		Name   string                  `json:"name"`
		Layer  string                  `json:"layer"`
		Args   map[string]any          `json:"args"`
		Params map[string]goldenTensor `json:"params"`
		Steps  []struct {
			Mode     string                     `json:"mode"`
			X        goldenTensor               `json:"x"`
			Upstream goldenTensor               `json:"upstream"`
			Y        goldenTensor               `json:"y"`
			Grads    map[string]goldenTensor    `json:"grads"`
			Buffers  map[string]json.RawMessage `json:"buffers"`
		} `json:"steps"`
		State [][]any `json:"state"` // [name, dtype, shape]
	} `json:"cases"`
}

func normLayer(t *testing.T, kind string, args map[string]any) nn.Module[float64] {
	t.Helper()
	num := func(k string) float64 { v, _ := args[k].(float64); return v }
	bo := nn.BatchNormOptions{Eps: num("eps"), Momentum: num("momentum"), CumulativeAverage: num("cumulative") == 1,
		NoAffine: num("no_affine") == 1, NoRunningStats: num("no_running_stats") == 1}
	var m nn.Module[float64]
	var err error
	switch kind {
	case "BatchNorm1d":
		m, err = nn.NewBatchNorm1d[float64](int(num("c")), bo)
	case "BatchNorm2d":
		m, err = nn.NewBatchNorm2d[float64](int(num("c")), bo)
	case "LayerNorm":
		var shape []int
		for _, d := range args["shape"].([]any) {
			shape = append(shape, int(d.(float64)))
		}
		m, err = nn.NewLayerNorm[float64](shape, nn.LayerNormOptions{Eps: num("eps"), NoElementwiseAffine: num("no_affine") == 1})
	default:
		t.Fatalf("unknown layer %q", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestNormGolden runs each layer through PyTorch's steps: outputs, input
// and parameter gradients, and the running statistics after every step,
// in training and in evaluation mode.
func TestNormGolden(t *testing.T) {
	b, err := os.ReadFile("testdata/norm_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var gf normGolden
	if err := json.Unmarshal(b, &gf); err != nil {
		t.Fatal(err)
	}
	for _, c := range gf.Cases {
		t.Run(c.Name, func(t *testing.T) {
			m := normLayer(t, c.Layer, c.Args)
			checkStateNames(t, m, c.State)
			rep, err := nn.LoadPartial(m, stateDict(c.Params))
			if err != nil || len(rep.Loaded) != len(c.Params) {
				t.Fatalf("loading the parameters: %v, %+v", err, rep)
			}
			g := autograd.New[float64]()
			for i, s := range c.Steps {
				nn.SetTraining(m, s.Mode == "train")
				nn.ZeroGrad(m)
				x := autograd.NewParam(s.X.tensor(), "x")
				y := m.Forward(g, x)
				closeTo(t, fmt.Sprintf("step %d y", i), y.Value, s.Y)
				g.Backward(g.Sum(g.Mul(y, autograd.NewConstant(s.Upstream.tensor()))))
				closeTo(t, fmt.Sprintf("step %d dx", i), x.Grad, s.Grads["x"])
				for _, p := range m.Parameters() {
					closeTo(t, fmt.Sprintf("step %d d%s", i, p.Name), p.Grad, s.Grads[p.Name])
				}
				checkBuffers(t, i, m, s.Buffers)
			}
		})
	}
}

func checkStateNames(t *testing.T, m nn.Module[float64], want [][]any) {
	t.Helper()
	sd := nn.StateDict(m)
	if len(sd) != len(want) {
		t.Fatalf("state dict has %d entries, PyTorch %v", len(sd), want)
	}
	for i, e := range sd {
		dtype := "float64"
		if e.Int64 != nil {
			dtype = "int64"
		}
		if e.Name != want[i][0] || dtype != want[i][1] || fmt.Sprint(e.Shape()) != fmt.Sprint(want[i][2]) {
			t.Errorf("state dict entry %d: %s %s %v, PyTorch %v", i, e.Name, dtype, e.Shape(), want[i])
		}
	}
}

func checkBuffers(t *testing.T, step int, m nn.Module[float64], want map[string]json.RawMessage) {
	t.Helper()
	got := nn.Buffers(m)
	if len(got) != len(want) {
		t.Fatalf("step %d: %d buffers, PyTorch %d", step, len(got), len(want))
	}
	for _, b := range got {
		if b.Int64 != nil {
			var n int64
			if err := json.Unmarshal(want[b.Name], &n); err != nil {
				t.Fatal(err)
			}
			if b.Int64[0] != n {
				t.Errorf("step %d: %s = %d, PyTorch %d", step, b.Name, b.Int64[0], n)
			}
			continue
		}
		var w goldenTensor
		if err := json.Unmarshal(want[b.Name], &w); err != nil {
			t.Fatal(err)
		}
		closeTo(t, fmt.Sprintf("step %d %s", step, b.Name), b.Tensor, w)
	}
}
