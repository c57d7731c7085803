package nn_test

import (
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// normNet is Linear(3,4) BatchNorm1d(4) ReLU Linear(4,4) LayerNorm(4) Linear(4,2).
func normNet(t *testing.T, seed uint64) *nn.Sequential[float64] {
	t.Helper()
	rng := tensor.NewRand(seed)
	l0, err0 := nn.NewLinear[float64](rng, 3, 4, nn.LinearOptions{})
	bn, err1 := nn.NewBatchNorm1d[float64](4, nn.BatchNormOptions{})
	l3, err2 := nn.NewLinear[float64](rng, 4, 4, nn.LinearOptions{})
	ln, err3 := nn.NewLayerNorm[float64]([]int{4}, nn.LayerNormOptions{})
	l5, err4 := nn.NewLinear[float64](rng, 4, 2, nn.LinearOptions{})
	for _, err := range []error{err0, err1, err2, err3, err4} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return nn.NewSequential[float64](l0, bn, nn.ReLU[float64]{}, l3, ln, l5)
}

func TestNormStateDict(t *testing.T) {
	m := normNet(t, 1)
	var got []string
	for _, e := range nn.StateDict[float64](m) {
		got = append(got, e.Name)
	}
	// PyTorch's order: module by module, parameters then buffers.
	want := "0.weight 0.bias 1.weight 1.bias 1.running_mean 1.running_var 1.num_batches_tracked " +
		"3.weight 3.bias 4.weight 4.bias 5.weight 5.bias"
	if strings.Join(got, " ") != want {
		t.Fatalf("state dict %q\nwant %q", got, want)
	}
	if n := len(m.Parameters()); n != 10 {
		t.Errorf("%d parameters, want 10 (buffers are not trained)", n)
	}

	// Train a step, then copy everything into a fresh model: the running
	// statistics and the count come along, and strict loading of a state
	// dict without them fails naming them.
	x := tensor.New[float64](5, 3)
	x.RandN(tensor.NewRand(2), 0, 1)
	m.Forward(autograd.New[float64](), autograd.NewConstant(x))
	sd := nn.CloneStateDict(nn.StateDict[float64](m))
	m2 := normNet(t, 9)
	if err := nn.LoadStateDict(m2, sd, true); err != nil {
		t.Fatal(err)
	}
	bn := m2.Layers[1].(*nn.BatchNorm1d[float64])
	if bn.NumBatchesTracked[0] != 1 || bn.RunningMean.Data()[0] != m.Layers[1].(*nn.BatchNorm1d[float64]).RunningMean.Data()[0] {
		t.Errorf("loaded count %d, running mean %v", bn.NumBatchesTracked[0], bn.RunningMean.Data())
	}
	// A float scalar (as a safetensors file decoded to floats gives it) loads into the count.
	f := nn.ConvertStateDict[float64](sd)
	f[6] = nn.NamedTensor[float64]{Name: "1.num_batches_tracked", Tensor: tensor.Scalar(7.0)}
	if err := nn.LoadStateDict(m2, f, true); err != nil || bn.NumBatchesTracked[0] != 7 {
		t.Errorf("float count: %v, count %d", err, bn.NumBatchesTracked[0])
	}
	f[6].Tensor = tensor.Scalar(7.5)
	if err := nn.LoadStateDict(m2, f, true); err == nil || !strings.Contains(err.Error(), "num_batches_tracked") {
		t.Errorf("fractional count: error %v", err)
	}
	err := nn.LoadStateDict(m2, sd[:4], true)
	if err == nil || !strings.Contains(err.Error(), "missing 1.running_mean, 1.running_var, 1.num_batches_tracked") {
		t.Errorf("strict load without buffers: %v", err)
	}
}

func TestNormOptionsErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"zero features", func() error { _, err := nn.NewBatchNorm1d[float32](0, nn.BatchNormOptions{}); return err }(), "BatchNorm1d(0)"},
		{"momentum", func() error {
			_, err := nn.NewBatchNorm2d[float32](3, nn.BatchNormOptions{Momentum: 2})
			return err
		}(), "momentum 2"},
		{"layernorm shape", func() error { _, err := nn.NewLayerNorm[float32]([]int{0}, nn.LayerNormOptions{}); return err }(), "LayerNorm([0])"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, c.err, c.want)
		}
	}
}

// TestNormStepAllocatesNothing: once warm, a training step and an
// evaluation forward pass through the normalization layers allocate nothing.
func TestNormStepAllocatesNothing(t *testing.T) {
	rng := tensor.NewRand(3)
	conv, _ := nn.NewConv2d[float32](rng, 2, 3, 3, nn.Conv2dOptions{Padding: 1})
	bn2, _ := nn.NewBatchNorm2d[float32](3, nn.BatchNormOptions{})
	lin, _ := nn.NewLinear[float32](rng, 3*4*4, 5, nn.LinearOptions{})
	bn1, _ := nn.NewBatchNorm1d[float32](5, nn.BatchNormOptions{})
	ln, _ := nn.NewLayerNorm[float32]([]int{5}, nn.LayerNormOptions{})
	m := nn.NewSequential[float32](conv, bn2, nn.ReLU[float32]{}, nn.Flatten[float32]{}, lin, bn1, nn.Tanh[float32]{}, ln)
	xs := tensor.New[float32](4, 2, 4, 4)
	xs.RandN(rng, 0, 1)
	x := autograd.NewConstant(xs)
	g := autograd.New[float32]()
	step := func() { g.Backward(g.Mean(m.Forward(g, x))) }
	step()
	if n := testing.AllocsPerRun(10, step); n != 0 {
		t.Errorf("a warm training step allocated %v times", n)
	}
	nn.SetTraining[float32](m, false)
	eval := func() { g.Reset(); g.NoGrad(func() { m.Forward(g, x) }) }
	eval()
	if n := testing.AllocsPerRun(10, eval); n != 0 {
		t.Errorf("a warm evaluation pass allocated %v times", n)
	}
}
