package data

import (
	"math"
	"strconv"
	"testing"

	"github.com/descent-ml/descent/tensor"
)

// TestParseNumberFastPath: the fast path gives exactly what
// strconv.ParseFloat(s, 64) rounded to float32 gives, for random decimals
// of every length and for the edge cases, and declines what it cannot do.
func TestParseNumberFastPath(t *testing.T) {
	rng := tensor.NewRand(1)
	check := func(s string) {
		got, ok := parseNumber([]byte(s))
		w, err := strconv.ParseFloat(s, 64)
		want := float32(w)
		if ok != (err == nil && !math.IsNaN(w) && !math.IsInf(w, 0)) || ok && math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("parseNumber(%q) = %v, %v; strconv %v, %v", s, got, ok, want, err)
		}
	}
	for _, s := range []string{"0", "-0", "+1", "5.", ".5", "-.5", "00012.5000", "0.000000000000000000001", "123456789012345",
		"1234567890123456", "9007199254740993", "1e5", "1E-3", "-", "+", ".", "", "1.2.3", "1-2", "0x10", "inf", "NaN",
		"3.4028236e38", "1e400", "0.1", "0.30000000000000004", "16777217", "1.00000005960464477539"} {
		check(s)
	}
	for range 200000 {
		s := strconv.FormatFloat(rng.NormFloat64()*math.Pow(10, float64(rng.IntN(20)-10)), 'f', rng.IntN(12), 64)
		check(s)
	}
}
