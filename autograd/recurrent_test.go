package autograd_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/autograd/gradcheck"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/tensor"
)

// TestGradcheckFusedRecurrent checks FusedRecurrent's backward numerically
// for every kind, both layouts and directions, with and without b_hh, with
// a loss that reads every output step and (LSTM) the last cell state.
func TestGradcheckFusedRecurrent(t *testing.T) {
	kinds := []struct {
		name string
		kind autograd.RecurrentKind
	}{
		{"tanh", autograd.RecurrentTanh}, {"relu", autograd.RecurrentReLU},
		{"lstm", autograd.RecurrentLSTM}, {"gru", autograd.RecurrentGRU},
	}
	const steps, batch, hidden = 4, 2, 3
	for _, k := range kinds {
		for _, batchFirst := range []bool{false, true} {
			for _, reverse := range []bool{false, true} {
				for _, bias := range []bool{true, false} {
					name := fmt.Sprintf("%s/batchFirst=%v/reverse=%v/bias=%v", k.name, batchFirst, reverse, bias)
					t.Run(name, func(t *testing.T) {
						rng := tensor.NewRand(7)
						gh := k.kind.Gates() * hidden
						shape := []int{steps, batch, gh}
						if batchFirst {
							shape[0], shape[1] = batch, steps
						}
						param := func(s ...int) *autograd.Var[float64] {
							v := tensor.New[float64](s...)
							v.RandU(rng, -0.8, 0.8)
							return autograd.NewParam(v, "")
						}
						xp, whh := param(shape...), param(gh, hidden)
						inputs := []*autograd.Var[float64]{xp, whh}
						if bias {
							inputs = append(inputs, param(gh))
						}
						up := tensor.New[float64](shape[0], shape[1], hidden)
						up.RandU(rng, -1, 1)
						upc := tensor.New[float64](batch, hidden)
						upc.RandU(rng, -1, 1)
						f := func(g *autograd.Graph[float64], in []*autograd.Var[float64]) *autograd.Var[float64] {
							var b *autograd.Var[float64]
							if bias {
								b = in[2]
							}
							out, cn := g.FusedRecurrent(k.kind, in[0], in[1], b, batchFirst, reverse)
							loss := g.Sum(g.Mul(out, autograd.NewConstant(up)))
							if cn != nil {
								loss = g.Add(loss, g.Sum(g.Mul(cn, autograd.NewConstant(upc))))
							}
							return loss
						}
						if _, err := gradcheck.Check(f, inputs, nil); err != nil {
							t.Fatal(err)
						}
					})
				}
			}
		}
	}
}

// TestFusedRecurrentCellStateOnly checks that the gradient reaches the
// inputs when only the LSTM's last cell state feeds the loss.
func TestFusedRecurrentCellStateOnly(t *testing.T) {
	rng := tensor.NewRand(3)
	xpt := tensor.New[float64](3, 2, 8)
	xpt.RandU(rng, -1, 1)
	wt := tensor.New[float64](8, 2)
	wt.RandU(rng, -1, 1)
	xp, whh := autograd.NewParam(xpt, "xp"), autograd.NewParam(wt, "w")
	f := func(g *autograd.Graph[float64], in []*autograd.Var[float64]) *autograd.Var[float64] {
		_, cn := g.FusedRecurrent(autograd.RecurrentLSTM, in[0], in[1], nil, false, false)
		return g.Sum(cn)
	}
	if _, err := gradcheck.Check(f, []*autograd.Var[float64]{xp, whh}, nil); err != nil {
		t.Fatal(err)
	}
	nonzero := false
	for _, v := range whh.Grad.Data() {
		nonzero = nonzero || v != 0
	}
	if !nonzero {
		t.Error("W_hh got no gradient from c_n alone")
	}
}

// TestFastActivationsFloat32 checks the float32 sigmoid and tanh of the
// fused layer against float64 math over the range that matters.
func TestFastActivationsFloat32(t *testing.T) {
	x := tensor.New[float32](1, 2001)
	for i := range x.Data() {
		x.Data()[i] = float32(i-1000) / 50 // -20 … 20
	}
	w := tensor.New[float32](1, 1) // W_hh = 0, no bias: h = tanh(xp)
	out, _ := autograd.New[float32]().FusedRecurrent(autograd.RecurrentTanh,
		autograd.NewConstant(reshape3(x)), autograd.NewConstant(w), nil, false, false)
	for i, v := range out.Value.Data() {
		want := math.Tanh(float64(x.Data()[i]))
		if d := math.Abs(float64(v) - want); d > 2e-7*math.Max(1, math.Abs(want)) && d > 1e-6*math.Abs(want) {
			t.Fatalf("tanh(%v) = %v, want %v", x.Data()[i], v, want)
		}
	}
}

// reshape3 lays the 2001 values out as 2001 steps of batch 1, hidden 1.
func reshape3(x *tensor.Tensor[float32]) *tensor.Tensor[float32] {
	t := tensor.New[float32](x.Len(), 1, 1)
	copy(t.Data(), x.Data())
	return t
}

// TestFusedRecurrentThreadsAgree checks that the element-wise passes split
// over the workers (large enough steps) give the single thread's values and
// gradients bit for bit, for every kind.
func TestFusedRecurrentThreadsAgree(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	const steps, batch, hidden = 3, 64, 48
	for _, kind := range []autograd.RecurrentKind{autograd.RecurrentTanh, autograd.RecurrentLSTM, autograd.RecurrentGRU} {
		var ref [][]float32
		for _, threads := range []int{1, 2} {
			kernel.SetThreads(threads)
			rng := tensor.NewRand(5)
			gh := kind.Gates() * hidden
			param := func(s ...int) *autograd.Var[float32] {
				v := tensor.New[float32](s...)
				v.RandU(rng, -0.5, 0.5)
				return autograd.NewParam(v, "")
			}
			xp, whh, bhh := param(batch, steps, gh), param(gh, hidden), param(gh)
			up := tensor.New[float32](batch, steps, hidden)
			up.RandU(rng, -1, 1)
			g := autograd.New[float32]()
			out, _ := g.FusedRecurrent(kind, xp, whh, bhh, true, false)
			got := [][]float32{append([]float32(nil), out.Value.Data()...)}
			g.Backward(g.Sum(g.Mul(out, autograd.NewConstant(up))))
			for _, v := range []*autograd.Var[float32]{xp, whh, bhh} {
				got = append(got, v.Grad.Data())
			}
			if threads == 1 {
				ref = got
				continue
			}
			for k := range got {
				for i := range got[k] {
					if got[k][i] != ref[k][i] {
						t.Fatalf("kind %d: tensor %d element %d: %v with 2 threads, %v with 1", kind, k, i, got[k][i], ref[k][i])
					}
				}
			}
		}
	}
}

// TestFusedRecurrentWithoutGradSavesTwoSteps checks that a pass with
// nothing to differentiate, which keeps only two steps of state, gives the
// outputs and c_n of a recorded pass bit for bit, for every kind, both
// directions, and odd and even sequence lengths.
func TestFusedRecurrentWithoutGradSavesTwoSteps(t *testing.T) {
	const batch, hidden = 5, 6
	kinds := []autograd.RecurrentKind{autograd.RecurrentTanh, autograd.RecurrentReLU, autograd.RecurrentLSTM, autograd.RecurrentGRU}
	for _, kind := range kinds {
		for _, steps := range []int{1, 2, 5, 6} {
			for _, reverse := range []bool{false, true} {
				rng := tensor.NewRand(9)
				gh := kind.Gates() * hidden
				xp, whh, bhh := tensor.New[float64](steps, batch, gh), tensor.New[float64](gh, hidden), tensor.New[float64](gh)
				for _, v := range []*tensor.Tensor[float64]{xp, whh, bhh} {
					v.RandU(rng, -1, 1)
				}
				g := autograd.New[float64]()
				out, cn := g.FusedRecurrent(kind, autograd.NewParam(xp, ""), autograd.NewParam(whh, ""), autograd.NewParam(bhh, ""), false, reverse)
				g2 := autograd.New[float64]()
				out2, cn2 := g2.FusedRecurrent(kind, autograd.NewConstant(xp), autograd.NewConstant(whh), autograd.NewConstant(bhh), false, reverse)
				if out2.RequiresGrad() {
					t.Fatal("a pass over constants records a gradient")
				}
				pairs := [][2]*autograd.Var[float64]{{out, out2}}
				if cn != nil {
					pairs = append(pairs, [2]*autograd.Var[float64]{cn, cn2})
				}
				for k, p := range pairs {
					for i, v := range p[0].Value.Data() {
						if w := p[1].Value.Data()[i]; v != w {
							t.Fatalf("kind %d steps %d reverse %v: output %d element %d: %v without grad, %v with", kind, steps, reverse, k, i, w, v)
						}
					}
				}
			}
		}
	}
}

// TestFusedRecurrentInPlace checks that the in-place pass, which works in
// its input's buffer, gives FusedRecurrent's outputs and gradients bit for
// bit, for every kind, both layouts and directions, with xp made by
// Linear (as in nn: the gate gradients then go straight to Linear's
// output gradient) and without gradients.
func TestFusedRecurrentInPlace(t *testing.T) {
	kinds := []autograd.RecurrentKind{autograd.RecurrentTanh, autograd.RecurrentReLU, autograd.RecurrentLSTM, autograd.RecurrentGRU}
	const steps, batch, in, hidden = 5, 3, 4, 6
	for _, kind := range kinds {
		for _, batchFirst := range []bool{false, true} {
			for _, reverse := range []bool{false, true} {
				for _, grad := range []bool{true, false} {
					gh := kind.Gates() * hidden
					rng := tensor.NewRand(11)
					ts := make([]*tensor.Tensor[float64], 5)
					for i, s := range [][]int{{steps, batch, in}, {gh, in}, {gh}, {gh, hidden}, {gh}} {
						ts[i] = tensor.New[float64](s...)
						ts[i].RandU(rng, -0.9, 0.9)
					}
					run := func(inPlace bool) [][]float64 {
						vars := make([]*autograd.Var[float64], len(ts))
						for i, v := range ts {
							vars[i] = autograd.NewConstant(v.Clone())
							if grad {
								vars[i] = autograd.NewParam(v.Clone(), "")
							}
						}
						g := autograd.New[float64]()
						xp := g.Linear(vars[0], vars[1], vars[2])
						fused := g.FusedRecurrent
						if inPlace {
							fused = g.FusedRecurrentInPlace
						}
						out, cn := fused(kind, xp, vars[3], vars[4], batchFirst, reverse)
						res := [][]float64{out.Value.Data()}
						if cn != nil {
							res = append(res, cn.Value.Data())
						}
						if grad {
							loss := g.Sum(g.Mul(out, out))
							if cn != nil {
								loss = g.Add(loss, g.Sum(cn))
							}
							g.Backward(loss)
							for _, v := range vars {
								res = append(res, v.Grad.Data())
							}
						}
						return res
					}
					want, got := run(false), run(true)
					for k := range want {
						for i := range want[k] {
							if got[k][i] != want[k][i] {
								t.Fatalf("kind %d batchFirst %v reverse %v grad %v: tensor %d element %d: %v in place, %v not",
									kind, batchFirst, reverse, grad, k, i, got[k][i], want[k][i])
							}
						}
					}
				}
			}
		}
	}
}
