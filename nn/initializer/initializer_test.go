package initializer

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/tensor"
)

// golden is testdata/golden.json, written by testdata/make_golden.py from
// PyTorch's torch.nn.init.
type golden struct {
	Gains []struct {
		Nonlinearity string
		Param, Gain  float64
	}
	Fans []struct {
		Shape  []int
		FanIn  int `json:"fan_in"`
		FanOut int `json:"fan_out"`
	}
	Cases []struct {
		Scheme            string
		Set               map[string]any
		Shape             []int
		Kind              string
		Lo, Hi, Mean, Std float64
	}
	TruncNormal []struct {
		Mean, Std, A, B float64
		ULo             float64 `json:"u_lo"`
		UHi             float64 `json:"u_hi"`
	} `json:"trunc_normal"`
	Fixed []struct {
		Scheme string
		Shape  []int
		Data   []float64
	}
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

// fromTorch builds the scheme a golden case names, with torch's keyword
// arguments and defaults.
func fromTorch(t *testing.T, name string, set map[string]any) Initializer {
	t.Helper()
	f := func(k string, def float64) float64 {
		if v, ok := set[k]; ok {
			return v.(float64)
		}
		return def
	}
	s := func(k, def string) string {
		if v, ok := set[k]; ok {
			return v.(string)
		}
		return def
	}
	mode := FanIn
	if s("mode", "fan_in") == "fan_out" {
		mode = FanOut
	}
	switch name {
	case "uniform":
		return Uniform{A: f("a", 0), B: f("b", 1)}
	case "normal":
		return Normal{Mean: f("mean", 0), Std: f("std", 1)}
	case "xavier_uniform":
		return XavierUniform{Gain: f("gain", 1)}
	case "xavier_normal":
		return XavierNormal{Gain: f("gain", 1)}
	case "kaiming_uniform":
		return KaimingUniform{A: f("a", 0), Mode: mode, Nonlinearity: s("nonlinearity", "leaky_relu")}
	case "kaiming_normal":
		return KaimingNormal{A: f("a", 0), Mode: mode, Nonlinearity: s("nonlinearity", "leaky_relu")}
	case "torch_default":
		return TorchDefault{}
	}
	t.Fatalf("unknown scheme %q in golden file", name)
	return nil
}

func close(a, b, rel float64) bool { return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b)) }

func TestCalculateGainMatchesTorch(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Gains {
		got, err := CalculateGain(c.Nonlinearity, c.Param)
		if err != nil || !close(got, c.Gain, 1e-15) {
			t.Errorf("CalculateGain(%q, %g) = %v, %v; torch %v", c.Nonlinearity, c.Param, got, err, c.Gain)
		}
	}
	if _, err := CalculateGain("softplus", 0); err == nil || !strings.Contains(err.Error(), "leaky_relu") {
		t.Errorf("unknown nonlinearity: err = %v, want one listing the valid names", err)
	}
}

func TestFansMatchTorch(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Fans {
		in, out, err := Fans(c.Shape)
		if err != nil || in != c.FanIn || out != c.FanOut {
			t.Errorf("Fans(%v) = %d, %d, %v; torch %d, %d", c.Shape, in, out, err, c.FanIn, c.FanOut)
		}
	}
	for _, s := range [][]int{{}, {7}} {
		if _, _, err := Fans(s); err == nil {
			t.Errorf("Fans(%v): no error; torch raises for fewer than 2 dimensions", s)
		}
	}
}

// TestLawMatchesTorch checks the law of every fan-scaled scheme against
// the arguments torch passed to uniform_/normal_ for the same shape.
func TestLawMatchesTorch(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Cases {
		init := fromTorch(t, c.Scheme, c.Set)
		law, err := LawOf(init, c.Shape)
		if err != nil {
			t.Errorf("%v on %v: %v", init, c.Shape, err)
			continue
		}
		ok := close(law.Std, c.Std, 1e-14) && close(law.Mean, c.Mean, 1e-14)
		if c.Kind == "uniform" {
			ok = close(law.Std, c.Std, 1e-14) && close(law.Mean, (c.Lo+c.Hi)/2, 1e-14) && close(law.Lo, c.Lo, 1e-14) && close(law.Hi, c.Hi, 1e-14)
		} else {
			ok = ok && math.IsInf(law.Lo, -1) && math.IsInf(law.Hi, 1)
		}
		if !ok {
			t.Errorf("%v on %v: law mean %v std %v [%v, %v]; torch %s mean %v std %v [%v, %v]",
				init, c.Shape, law.Mean, law.Std, law.Lo, law.Hi, c.Kind, c.Mean, c.Std, c.Lo, c.Hi)
		}
	}
}

// TestTruncNormalMatchesTorch checks the interval that inverse-CDF sampling
// draws from against torch's.
func TestTruncNormalMatchesTorch(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.TruncNormal {
		lo := 2*bigPhi((c.A-c.Mean)/c.Std) - 1
		hi := 2*bigPhi((c.B-c.Mean)/c.Std) - 1
		if !close(lo, c.ULo, 1e-14) || !close(hi, c.UHi, 1e-14) {
			t.Errorf("trunc_normal%v: uniform interval [%v, %v]; torch [%v, %v]", c, lo, hi, c.ULo, c.UHi)
		}
	}
}

func TestEyeAndDiracMatchTorch(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Fixed {
		var init Initializer = Eye{}
		if c.Scheme == "dirac" {
			init = Dirac{}
		}
		x := tensor.New[float64](c.Shape...)
		x.Fill(7) // Fill must overwrite everything
		if err := init.Fill(x, tensor.NewRand(1)); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(x.Data(), c.Data) {
			t.Errorf("%s%v = %v; torch %v", c.Scheme, c.Shape, x.Data(), c.Data)
		}
		law, _ := LawOf(init, c.Shape)
		if m, s := moments(x.Data()); !close(m, law.Mean, 1e-12) || !close(s, law.Std, 1e-12) {
			t.Errorf("%s%v: law mean %v std %v; pattern has %v, %v", c.Scheme, c.Shape, law.Mean, law.Std, m, s)
		}
	}
}

// moments returns the mean and population std of d.
func moments(d []float64) (mean, std float64) {
	for _, v := range d {
		mean += v
	}
	mean /= float64(len(d))
	var ss float64
	for _, v := range d {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / float64(len(d)))
}

// TestMoments draws large tensors and checks that the sample mean and
// variance fall within 5 standard errors of the law's, and that every
// draw lies in the law's support. For a law of variance σ² and kurtosis
// κ <= 3 (true of all of them) the standard error of the mean is σ/sqrt(n)
// and that of the variance σ²·sqrt((κ-1)/n) <= σ²·sqrt(2/n).
func TestMoments(t *testing.T) {
	cases := []struct {
		init  Initializer
		shape []int
	}{
		{Uniform{A: -0.5, B: 2}, []int{256, 256}},
		{Normal{Mean: 0.5, Std: 2}, []int{256, 256}},
		{TruncNormal{Mean: 0, Std: 1, A: -2, B: 2}, []int{256, 256}},
		{TruncNormal{Mean: 0.5, Std: 2, A: -1, B: 3}, []int{256, 256}},
		{TruncNormal{Mean: 0, Std: 0.1, A: -0.05, B: 1}, []int{256, 256}}, // one-sided
		{Orthogonal{Gain: 1}, []int{256, 256}},
		{Orthogonal{Gain: 2}, []int{64, 32, 3, 3}},
		{LeCunUniform{}, []int{256, 256}},
		{LeCunNormal{}, []int{64, 128, 3, 3}},
		{XavierUniform{Gain: 1}, []int{128, 512}},
		{XavierNormal{Gain: 5.0 / 3}, []int{512, 128}},
		{KaimingUniform{}, []int{64, 32, 5, 5}},
		{KaimingUniform{A: 0.2, Mode: FanOut}, []int{256, 256}},
		{KaimingNormal{Nonlinearity: "relu"}, []int{256, 256}},
		{KaimingNormal{Mode: FanOut, Nonlinearity: "tanh"}, []int{64, 32, 5, 5}},
		{TorchDefault{}, []int{256, 256}},
	}
	for _, c := range cases {
		x := tensor.New[float64](c.shape...)
		if err := c.init.Fill(x, tensor.NewRand(42)); err != nil {
			t.Fatalf("%v: %v", c.init, err)
		}
		law, err := LawOf(c.init, c.shape)
		if err != nil {
			t.Fatal(err)
		}
		n := float64(x.Len())
		m, s := moments(x.Data())
		if math.Abs(m-law.Mean) > 5*law.Std/math.Sqrt(n) {
			t.Errorf("%v %v: mean %v, law %v ± %v", c.init, c.shape, m, law.Mean, 5*law.Std/math.Sqrt(n))
		}
		v, lv := s*s, law.Std*law.Std
		if math.Abs(v-lv) > 5*lv*math.Sqrt(2/n) {
			t.Errorf("%v %v: variance %v, law %v ± %v", c.init, c.shape, v, lv, 5*lv*math.Sqrt(2/n))
		}
		if lo, hi := slices.Min(x.Data()), slices.Max(x.Data()); lo < law.Lo || hi > law.Hi {
			t.Errorf("%v %v: draws in [%v, %v], outside the support [%v, %v]", c.init, c.shape, lo, hi, law.Lo, law.Hi)
		}
	}
}

func TestLeCunNormalIsTruncatedAtTwoSigma(t *testing.T) {
	x := tensor.New[float64](128, 100)
	if err := (LeCunNormal{}).Fill(x, tensor.NewRand(3)); err != nil {
		t.Fatal(err)
	}
	sigma := 0.1 / kerasTruncStd // sqrt(1/100) before the correction
	lo, hi := slices.Min(x.Data()), slices.Max(x.Data())
	if lo < -2*sigma || hi > 2*sigma || hi < 1.9*sigma || lo > -1.9*sigma {
		t.Errorf("lecun_normal draws in [%v, %v], want them to fill [±%v]", lo, hi, 2*sigma)
	}
}

// TestOrthogonal checks W·Wᵀ = gain²·I for wide matrices (rows <= cols) and
// Wᵀ·W = gain²·I for tall ones, conv kernels viewed as [out, in·kh·kw].
func TestOrthogonal(t *testing.T) {
	cases := []struct {
		shape []int
		gain  float64
	}{
		{[]int{16, 16}, 1}, {[]int{30, 10}, 1}, {[]int{10, 30}, 2}, {[]int{8, 3, 3, 3}, 1},
		{[]int{40, 2, 2, 2}, 1.5}, {[]int{1, 5}, 1}, {[]int{5, 1}, 1},
	}
	for _, c := range cases {
		w := tensor.New[float64](c.shape...)
		if err := (Orthogonal{Gain: c.gain}).Fill(w, tensor.NewRand(7)); err != nil {
			t.Fatal(err)
		}
		rows := c.shape[0]
		cols := w.Len() / rows
		m := tensor.FromSlice(w.Data(), rows, cols)
		k := min(rows, cols)
		gram := tensor.New[float64](k, k)
		tensor.MatMul(gram, m, m, rows > cols, rows <= cols, 1, 0)
		var worst float64
		for i := range k {
			for j := range k {
				want := 0.0
				if i == j {
					want = c.gain * c.gain
				}
				worst = max(worst, math.Abs(gram.At(i, j)-want))
			}
		}
		if worst > 1e-5 {
			t.Errorf("orthogonal(gain=%g) %v: Gram matrix off gain²·I by %g", c.gain, c.shape, worst)
		}
	}
}

func TestSameSeedSameBits(t *testing.T) {
	for _, init := range []Initializer{Uniform{A: 0, B: 1}, Normal{Std: 1}, TruncNormal{Std: 1, A: -2, B: 2},
		Orthogonal{Gain: 1}, LeCunUniform{}, LeCunNormal{}, XavierUniform{Gain: 1}, XavierNormal{Gain: 1},
		KaimingUniform{}, KaimingNormal{}, TorchDefault{}} {
		a, b, c := tensor.New[float64](6, 4), tensor.New[float64](6, 4), tensor.New[float64](6, 4)
		_ = init.Fill(a, tensor.NewRand(5))
		_ = init.Fill(b, tensor.NewRand(5))
		_ = init.Fill(c, tensor.NewRand(6))
		if !slices.Equal(a.Data(), b.Data()) || slices.Equal(a.Data(), c.Data()) {
			t.Errorf("%v: same seed gave different draws, or different seeds the same", init)
		}
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		init  Initializer
		shape []int
		want  string
	}{
		{Eye{}, []int{2, 2, 2}, "2-D"},
		{Dirac{}, []int{3, 3}, "3-, 4- or 5-D"},
		{XavierUniform{Gain: 1}, []int{5}, "at least 2 dimensions"},
		{XavierUniform{}, []int{5, 5}, "positive gain"},
		{Orthogonal{Gain: 1}, []int{5}, "at least 2 dimensions"},
		{Orthogonal{}, []int{5, 5}, "positive gain"},
		{KaimingNormal{Nonlinearity: "swish"}, []int{5, 5}, "unsupported nonlinearity"},
		{KaimingUniform{Mode: 3}, []int{5, 5}, "fan_in or fan_out"},
		{TorchDefault{}, []int{5}, "at least 2 dimensions"},
		{Uniform{A: 1, B: 0}, []int{5}, "a <= b"},
		{Normal{Std: -1}, []int{5}, "std >= 0"},
		{TruncNormal{Std: 1}, []int{5}, "a < b"},
	}
	for _, c := range cases {
		err := c.init.Fill(tensor.New[float64](c.shape...), tensor.NewRand(1))
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Count(err.Error(), "initializer:") != 1 {
			t.Errorf("%v on %v: err = %v, want one naming %q", c.init, c.shape, err, c.want)
		}
		if _, lerr := LawOf(c.init, c.shape); lerr == nil {
			t.Errorf("%v on %v: Law accepts what Fill rejects", c.init, c.shape)
		}
	}
}

func TestApplyFloat32(t *testing.T) {
	w32 := tensor.New[float32](4, 8)
	w64 := tensor.New[float64](4, 8)
	if err := Apply(KaimingNormal{}, w32, tensor.NewRand(9)); err != nil {
		t.Fatal(err)
	}
	_ = Apply(KaimingNormal{}, w64, tensor.NewRand(9))
	for i, v := range w64.Data() {
		if w32.Data()[i] != float32(v) {
			t.Fatalf("float32 draw %d = %v, float64 draw rounds to %v", i, w32.Data()[i], float32(v))
		}
	}
}
