package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestLSTMBackwardKernel compares LSTMBackward with its Go specification
// bit for bit, with and without the previous cell state, over lengths
// around the vector width inside guard bands, for every instruction set
// this machine has.
func TestLSTMBackwardKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	for _, isa := range vectorISAs() {
		withISA(t, isa)
		for _, n := range append(vectorLengths(), 128) {
			for _, withCP := range []bool{true, false} {
				name := fmt.Sprintf("isa=%d n=%d cp=%v", isa, n, withCP)
				gates, checkG := guardedSlice(rng, 4*n, true) // activations in [0, 1)
				tc, _ := guardedSlice(rng, n, false)
				dout, _ := guardedSlice(rng, n, false)
				dh, _ := guardedSlice(rng, n, false)
				var cp []float32
				if withCP {
					cp, _ = guardedSlice(rng, n, false)
				}
				dc, checkDC := guardedSlice(rng, n, false)
				dg, checkDG := guardedSlice(rng, 4*n, false)
				wantDC, wantDG := clone(dc), make([]float32, 4*n)
				lstmBackwardSpec(wantDG, gates, tc, cp, dout, dh, wantDC)
				LSTMBackward(dg, gates, tc, cp, dout, dh, dc)
				checkG(t, name+" gates")
				checkDC(t, name+" dc")
				checkDG(t, name+" dgates")
				if !equalBits(dc, wantDC) || !equalBits(dg, wantDG) {
					t.Fatalf("%s: differs from the Go spec:\ndgates %v\nwant   %v\ndc %v\nwant %v", name, dg, wantDG, dc, wantDC)
				}
			}
		}
	}
}

// TestLSTMBackwardRule checks the specification against the derivative of
// the LSTM step written out in float64, at one element.
func TestLSTMBackwardRule(t *testing.T) {
	i, f, g, o, tc, cp, dout, dh, dc := 0.3, 0.6, -0.4, 0.8, 0.25, -0.7, 0.5, -0.2, 0.9
	dgates, dcs := make([]float64, 4), []float64{dc}
	LSTMBackward(dgates, []float64{i, f, g, o}, []float64{tc}, []float64{cp}, []float64{dout}, []float64{dh}, dcs)
	dH := dout + dh
	dC := dc + dH*o*(1-tc*tc)
	want := []float64{dC * g * i * (1 - i), dC * cp * f * (1 - f), dC * i * (1 - g*g), dH * tc * o * (1 - o)}
	for k := range want {
		if math.Abs(dgates[k]-want[k]) > 1e-15 {
			t.Errorf("gate %d: %v, want %v", k, dgates[k], want[k])
		}
	}
	if math.Abs(dcs[0]-dC*f) > 1e-15 {
		t.Errorf("dc_{s-1} = %v, want %v", dcs[0], dC*f)
	}
}
