package lab

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// TestChainReproducesLecture: 1.5^10 = 57.6650390625 and
// 0.5^10 = 0.0009765625, forward and backward, at every width.
func TestChainReproducesLecture(t *testing.T) {
	cases := []struct {
		scale float64
		width int
		want  float64 // the lecture's number, to its printed digits
	}{
		{1.5, 4, 57.665}, {0.5, 4, 0.000977}, {1.5, 1, 57.665}, {0.5, 33, 0.000977},
	}
	for _, c := range cases {
		rows, err := Chain(ChainConfig{Scale: c.scale, Depth: 10, Width: c.width})
		if err != nil {
			t.Fatal(err)
		}
		last := rows[9]
		for _, got := range []float64{last.ForwardGain, last.BackwardGain} {
			if math.Abs(got-c.want) > 0.0005*c.want {
				t.Errorf("scale %g width %d: gain after 10 layers %v, lecture %v", c.scale, c.width, got, c.want)
			}
		}
		for _, r := range rows {
			want := math.Pow(c.scale, float64(r.Layer))
			if math.Abs(r.ForwardGain/want-1) > 1e-12 || math.Abs(r.BackwardGain/want-1) > 1e-12 {
				t.Errorf("scale %g layer %d: %v, %v; want %v", c.scale, r.Layer, r.ForwardGain, r.BackwardGain, want)
			}
		}
	}
}

func TestChainCSVAndPlot(t *testing.T) {
	cfg := ChainConfig{Scale: 0.5, Depth: 3, Width: 2}
	rows, _ := Chain(cfg)
	var b bytes.Buffer
	WriteChainCSV(&b, rows)
	if want := "layer,forward_gain,backward_gain\n1,0.5,0.5\n2,0.25,0.25\n3,0.125,0.125\n"; b.String() != want {
		t.Errorf("CSV:\n%s\nwant\n%s", b.String(), want)
	}
	if err := PlotChain(filepath.Join(t.TempDir(), "c.svg"), cfg, rows); err != nil {
		t.Error(err)
	}
	if _, err := Chain(ChainConfig{Scale: 1, Depth: 0, Width: 1}); err == nil || !strings.Contains(err.Error(), "depth") {
		t.Errorf("depth 0: %v", err)
	}
}
