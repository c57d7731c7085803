package tensor

import (
	"math"
	"testing"
)

// unaryCases lists each element-wise map with reference values worked out
// by hand or with package math independently of the implementation (for
// instance Φ(1) = 0.8413447460685429 from tables, tanh via exponentials).
var unaryCases = []struct {
	name string
	f32  func(dst, src *Tensor[float32])
	f64  func(dst, src *Tensor[float64])
	in   []float64
	want []float64
}{
	{"exp", Exp[float32], Exp[float64], []float64{0, 1, -1, 2.5},
		[]float64{1, math.E, 1 / math.E, math.E * math.E * math.Sqrt(math.E)}},
	{"log", Log[float32], Log[float64], []float64{1, math.E, 0.5, 0, -1},
		[]float64{0, 1, -math.Ln2, math.Inf(-1), math.NaN()}},
	{"sqrt", Sqrt[float32], Sqrt[float64], []float64{0, 4, 2, -1},
		[]float64{0, 2, math.Sqrt2, math.NaN()}},
	{"abs", Abs[float32], Abs[float64], []float64{-3, 0, 2.5, math.Inf(-1), math.NaN()},
		[]float64{3, 0, 2.5, math.Inf(1), math.NaN()}},
	{"neg", Neg[float32], Neg[float64], []float64{-3, 0.5, 2},
		[]float64{3, -0.5, -2}},
	{"tanh", Tanh[float32], Tanh[float64], []float64{0, 1, -2, 30, -30},
		[]float64{0, (math.E*math.E - 1) / (math.E*math.E + 1), -(math.Exp(4) - 1) / (math.Exp(4) + 1), 1, -1}},
	{"sigmoid", Sigmoid[float32], Sigmoid[float64], []float64{0, 2, -2, 800, -800},
		[]float64{0.5, 1 / (1 + math.Exp(-2)), math.Exp(-2) / (1 + math.Exp(-2)), 1, 0}},
	{"gelu", GELU[float32], GELU[float64], []float64{0, 1, -1, 2, -10},
		[]float64{0, 0.8413447460685429, -0.15865525393145707, 2 * 0.9772498680518208, -0}},
	{"leaky_relu(0.1)",
		func(d, s *Tensor[float32]) { LeakyReLU(d, s, 0.1) },
		func(d, s *Tensor[float64]) { LeakyReLU(d, s, 0.1) },
		[]float64{-2, 0, 3, math.NaN()}, []float64{-0.2, 0, 3, math.NaN()}},
	{"pow(2)",
		func(d, s *Tensor[float32]) { Pow(d, s, 2) },
		func(d, s *Tensor[float64]) { Pow(d, s, 2) },
		[]float64{-3, 0.5, 2}, []float64{9, 0.25, 4}},
	{"pow(0.5)",
		func(d, s *Tensor[float32]) { Pow(d, s, 0.5) },
		func(d, s *Tensor[float64]) { Pow(d, s, 0.5) },
		[]float64{4, 2}, []float64{2, math.Sqrt2}},
	{"pow(-1.5)",
		func(d, s *Tensor[float32]) { Pow(d, s, -1.5) },
		func(d, s *Tensor[float64]) { Pow(d, s, -1.5) },
		[]float64{4, 0.25, -1}, []float64{0.125, 8, math.NaN()}},
	{"pow(3)",
		func(d, s *Tensor[float32]) { Pow(d, s, 3) },
		func(d, s *Tensor[float64]) { Pow(d, s, 3) },
		[]float64{-2, 1.5}, []float64{-8, 3.375}},
	{"pow(-1)",
		func(d, s *Tensor[float32]) { Pow(d, s, -1) },
		func(d, s *Tensor[float64]) { Pow(d, s, -1) },
		[]float64{4, -0.5, 0}, []float64{0.25, -2, math.Inf(1)}},
	{"pow(-2)",
		func(d, s *Tensor[float32]) { Pow(d, s, -2) },
		func(d, s *Tensor[float64]) { Pow(d, s, -2) },
		[]float64{4, -0.5}, []float64{0.0625, 4}},
	{"pow(-0.5)",
		func(d, s *Tensor[float32]) { Pow(d, s, -0.5) },
		func(d, s *Tensor[float64]) { Pow(d, s, -0.5) },
		[]float64{4, 0.25, -1}, []float64{0.5, 2, math.NaN()}},
	{"pow(1.25)",
		func(d, s *Tensor[float32]) { Pow(d, s, 1.25) },
		func(d, s *Tensor[float64]) { Pow(d, s, 1.25) },
		[]float64{16, 1}, []float64{32, 1}},
	{"relu", ReLU[float32], ReLU[float64], []float64{-2, 0, 3, math.NaN()},
		[]float64{0, 0, 3, math.NaN()}},
	{"add_scalar(1.5)",
		func(d, s *Tensor[float32]) { AddScalar(d, s, 1.5) },
		func(d, s *Tensor[float64]) { AddScalar(d, s, 1.5) },
		[]float64{-2, 0}, []float64{-0.5, 1.5}},
	{"mul_scalar(-2)",
		func(d, s *Tensor[float32]) { MulScalar(d, s, -2) },
		func(d, s *Tensor[float64]) { MulScalar(d, s, -2) },
		[]float64{-2, 0.25}, []float64{4, -0.5}},
}

func TestUnary(t *testing.T) {
	for _, tc := range unaryCases {
		t.Run(tc.name, func(t *testing.T) {
			n := len(tc.in)
			x64 := FromSlice(append([]float64(nil), tc.in...), n)
			y64 := New[float64](n)
			tc.f64(y64, x64)
			x32 := Convert[float32](x64)
			y32 := New[float32](n)
			tc.f32(y32, x32)
			for i, w := range tc.want {
				if !nearly(y64.data[i], w, 1e-15) {
					t.Errorf("float64 f(%v) = %v, want %v", tc.in[i], y64.data[i], w)
				}
				if !nearly(float64(y32.data[i]), w, 1e-6) {
					t.Errorf("float32 f(%v) = %v, want %v", tc.in[i], y32.data[i], w)
				}
			}
			// In place (dst aliasing src) must give the same result.
			tc.f64(x64, x64)
			for i := range tc.in {
				if !nearly(x64.data[i], y64.data[i], 0) {
					t.Errorf("in place f(%v) = %v, want %v", tc.in[i], x64.data[i], y64.data[i])
				}
			}
		})
	}
}

// nearly reports whether got equals want to relative tolerance rtol (with an
// absolute floor of rtol near 0); NaN equals NaN and infinities must match.
func nearly(got, want, rtol float64) bool {
	switch {
	case math.IsNaN(want):
		return math.IsNaN(got)
	case math.IsInf(want, 0):
		return got == want
	}
	return math.Abs(got-want) <= rtol*max(1, math.Abs(want))
}

func TestUnaryShapeMismatchPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("Exp into a destination of the wrong shape did not panic")
		}
	}()
	Exp(New[float32](3), New[float32](4))
}

func BenchmarkUnary(b *testing.B) {
	x := New[float32](1 << 16)
	x.RandN(NewRand(1), 0, 2)
	y := New[float32](1 << 16)
	for _, tc := range unaryCases {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(8 * x.Len()))
			for b.Loop() {
				tc.f32(y, x)
			}
		})
	}
}
