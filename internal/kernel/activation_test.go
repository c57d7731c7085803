package kernel

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// actSpecials are inputs where the activations' rules or branches change:
// zeros, infinities, NaNs, the tanh polynomial's cut, where exp's input is
// clamped and where the results saturate or become subnormal.
var actSpecials = []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
	float32(math.NaN()), -float32(math.NaN()), math.Float32frombits(0x7f800001), 1e-45, -1e-45, 1e-38, -1e-30,
	0.625, -0.625, math.Nextafter32(0.625, 0), -math.Nextafter32(0.625, 0), 9, -9, 44, -44, 87.3, -87.3,
	87.7, -87.7, 88, -88, 89, -89, 104, -104, 1e30, -1e30, math.MaxFloat32, -math.MaxFloat32}

var actCases = []struct {
	name      string
	run, spec func(dst, x []float32)
}{
	{"Sigmoid", func(d, x []float32) { Sigmoid(d, x) }, sigmoidSpec32},
	{"Tanh", func(d, x []float32) { Tanh(d, x) }, tanhSpec32},
}

// TestActivationKernels compares the float32 kernels with their Go
// specifications bit for bit, over random lengths inside guard bands with
// the special values mixed in, for every instruction set this machine has,
// out of place and in place.
func TestActivationKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, isa := range vectorISAs() {
		withISA(t, isa)
		for _, c := range actCases {
			for _, n := range vectorLengths() {
				name := fmt.Sprintf("%s isa=%d n=%d", c.name, isa, n)
				x, checkX := guardedSlice(rng, n, false)
				for i := range x {
					switch rng.IntN(4) {
					case 0:
						x[i] = actSpecials[rng.IntN(len(actSpecials))]
					case 1:
						x[i] *= 30
					}
				}
				dst, checkDst := guardedSlice(rng, n, false)
				want := make([]float32, n)
				c.spec(want, x)
				c.run(dst, x)
				checkDst(t, name)
				checkX(t, name)
				if !equalBits(dst, want) {
					for i := range dst {
						if math.Float32bits(dst[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s: x[%d] = %v (%#x): got %v (%#x), spec %v (%#x)", name, i, x[i],
								math.Float32bits(x[i]), dst[i], math.Float32bits(dst[i]), want[i], math.Float32bits(want[i]))
						}
					}
				}
				c.run(x, x)
				if !equalBits(x, want) {
					t.Fatalf("%s: in place differs from the spec", name)
				}
			}
		}
	}
}

// TestActivationAccuracy holds the float32 activations (the kernel this
// machine runs, equal to the spec by the test above) to actMaxULP against
// float64 math, over every 509th float32 bit pattern (all exponents, both
// signs) and densely over [-20, 20], and checks the special values'
// results exactly.
func TestActivationAccuracy(t *testing.T) {
	step := uint32(509)
	if testing.Short() {
		step = 4099
	}
	var xs []float32
	for b := uint64(0); b < 1<<32; b += uint64(step) {
		if v := math.Float32frombits(uint32(b)); v == v {
			xs = append(xs, v)
		}
	}
	for v := float32(-20); v <= 20; v += 1.0 / 4096 {
		xs = append(xs, v, math.Nextafter32(v, 30))
	}
	got := make([]float32, len(xs))
	refs := []struct {
		name string
		run  func(dst, x []float32)
		ref  func(float64) float64
	}{
		{"Sigmoid", func(d, x []float32) { Sigmoid(d, x) }, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }},
		{"Tanh", func(d, x []float32) { Tanh(d, x) }, math.Tanh},
	}
	for _, r := range refs {
		r.run(got, xs)
		worst, at := 0.0, float32(0)
		for i, x := range xs {
			want := r.ref(float64(x))
			err := math.Abs(float64(got[i]) - want)
			if math.Abs(want) < 0x1p-126 {
				if err > 0x1p-126 {
					t.Fatalf("%s(%v) = %v, want %v within 2^-126", r.name, x, got[i], want)
				}
				continue
			}
			if u := err / ulp32(want); u > worst {
				worst, at = u, x
			}
		}
		t.Logf("%s: worst error %.2f ulp at x = %v over %d inputs", r.name, worst, at, len(xs))
		if worst > actMaxULP {
			t.Errorf("%s: error %.2f ulp at x = %v, bound %d", r.name, worst, at, actMaxULP)
		}
	}
	inf, nan, negZero := float32(math.Inf(1)), float32(math.NaN()), float32(math.Copysign(0, -1))
	specials := []struct {
		name    string
		run     func(dst, x []float32)
		x, want float32
	}{
		{"Sigmoid", func(d, x []float32) { Sigmoid(d, x) }, inf, 1},
		{"Sigmoid", func(d, x []float32) { Sigmoid(d, x) }, -inf, 0},
		{"Sigmoid", func(d, x []float32) { Sigmoid(d, x) }, 0, 0.5},
		{"Sigmoid", func(d, x []float32) { Sigmoid(d, x) }, negZero, 0.5},
		{"Sigmoid", func(d, x []float32) { Sigmoid(d, x) }, -100, 0},
		{"Tanh", func(d, x []float32) { Tanh(d, x) }, inf, 1},
		{"Tanh", func(d, x []float32) { Tanh(d, x) }, -inf, -1},
		{"Tanh", func(d, x []float32) { Tanh(d, x) }, 0, 0},
		{"Tanh", func(d, x []float32) { Tanh(d, x) }, negZero, negZero},
		{"Tanh", func(d, x []float32) { Tanh(d, x) }, 1e-40, 1e-40},
	}
	for _, s := range specials {
		for _, n := range []int{1, 8} { // the Go tail and the vector body
			x, d := make([]float32, n), make([]float32, n)
			for i := range x {
				x[i] = s.x
			}
			s.run(d, x)
			if math.Float32bits(d[n-1]) != math.Float32bits(s.want) {
				t.Errorf("%s(%v) = %v, want %v (n=%d)", s.name, s.x, d[n-1], s.want, n)
			}
			x[n-1] = nan
			s.run(d, x)
			if d[n-1] == d[n-1] {
				t.Errorf("%s(NaN) = %v, want NaN (n=%d)", s.name, d[n-1], n)
			}
		}
	}
}

// ulp32 is the spacing of float32 values at |v| (v a normal float32
// magnitude or above).
func ulp32(v float64) float64 {
	_, e := math.Frexp(math.Abs(v)) // |v| = m·2^e, m in [0.5, 1)
	return math.Ldexp(1, e-24)
}

// TestActivationFloat64 checks the float64 forms against math directly:
// they are exact, as the float64 gradient goldens need.
func TestActivationFloat64(t *testing.T) {
	xs := []float64{-800, -30, -1, -1e-300, 0, 1e-300, 0.3, 1, 30, 800, math.Inf(1), math.Inf(-1)}
	got := make([]float64, len(xs))
	Sigmoid(got, xs)
	for i, x := range xs {
		want := 1 / (1 + math.Exp(-x))
		if x < 0 {
			want = math.Exp(x) / (1 + math.Exp(x))
		}
		if got[i] != want {
			t.Errorf("Sigmoid(%v) = %v, want %v", x, got[i], want)
		}
	}
	Tanh(got, xs)
	for i, x := range xs {
		if got[i] != math.Tanh(x) {
			t.Errorf("Tanh(%v) = %v, want %v", x, got[i], math.Tanh(x))
		}
	}
}

func BenchmarkActivations(b *testing.B) {
	n := 128 * 512
	x, dst := make([]float32, n), make([]float32, n)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range x {
		x[i] = float32(rng.NormFloat64() * 3)
	}
	for _, isa := range vectorISAs() {
		old := vectorISA
		vectorISA = isa
		for _, c := range actCases {
			b.Run(fmt.Sprintf("%s/isa=%d", c.name, isa), func(b *testing.B) {
				for b.Loop() {
					c.run(dst, x)
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
			})
		}
		vectorISA = old
	}
}

// TestFMA32 checks fma32 against a·b + c computed exactly (math/big) and
// rounded once to float32, over random operands of every magnitude
// relation and over sums where rounding to float64 first and then to
// float32 would round twice wrongly.
func TestFMA32(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	exact := func(a, b, c float32) float32 {
		var p, s big.Float
		p.SetPrec(200).Mul(new(big.Float).SetFloat64(float64(a)), new(big.Float).SetFloat64(float64(b)))
		s.SetPrec(200).Add(&p, new(big.Float).SetFloat64(float64(c)))
		f, _ := s.Float32()
		return f
	}
	// (2^23 + 2896)(2^23 - 2895) = 2^46 + 4688, so a·b = 2^-24 + 4688·2^-70
	// and a·b + 1 rounds to 1 + 2^-24 in float64, a float32 tie, while
	// the exact sum lies above it: rounded twice it gives 1, once 1 + 2^-23.
	a, b := float32(1<<23+2896)*0x1p-23, float32(1<<23-2895)*0x1p-47
	cases := [][3]float32{{a, b, 1}, {-a, b, -1}, {a, -b, 3}, {3, 1.0 / 3, -1}, {0, 5, -0}}
	for range 200000 {
		r := func() float32 {
			return float32(rng.NormFloat64()) * float32(math.Ldexp(1, rng.IntN(60)-30))
		}
		cases = append(cases, [3]float32{r(), r(), r()})
	}
	for _, c := range cases {
		got, want := fma32(c[0], c[1], c[2]), exact(c[0], c[1], c[2])
		if math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("fma32(%g, %g, %g) = %g (%#x), want %g (%#x)", c[0], c[1], c[2], got, math.Float32bits(got), want, math.Float32bits(want))
		}
	}
}
