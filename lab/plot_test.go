package lab

import (
	"math"
	"path/filepath"
	"testing"
	"time"
)

// TestSavePanelsEnds: panels whose points cannot be drawn (a log scale with
// no positive value, only non-finite values, no points at all) still give
// an image, in bounded time; the log scale with nothing positive once
// looped forever computing ticks from log10(0).
func TestSavePanelsEnds(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for name, pn := range map[string]Panel{
		"log, zeros":         {LogY: true, Series: []Series{{Label: "a", X: []float64{0, 1, 2}, Y: []float64{0, 0, 0}}}},
		"log, negative":      {LogY: true, Series: []Series{{Label: "a", X: []float64{0, 1}, Y: []float64{-1, -2}}}},
		"log, non-finite":    {LogY: true, Series: []Series{{Label: "a", X: []float64{0, 1}, Y: []float64{nan, inf}}}},
		"linear, non-finite": {Series: []Series{{Label: "a", X: []float64{0, 1}, Y: []float64{nan, -inf}}}},
		"log, no series":     {LogY: true},
		"log, one positive":  {LogY: true, Series: []Series{{Label: "a", X: []float64{0, 1}, Y: []float64{0, 3}}}},
	} {
		t.Run(name, func(t *testing.T) {
			done := make(chan error, 1)
			zeros := Panel{LogY: true, Series: []Series{{Label: "z", X: []float64{1}, Y: []float64{0}}}}
			go func() { done <- SavePanels(filepath.Join(t.TempDir(), "p.png"), zeros, pn, pn) }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("SavePanels did not return within 5 s")
			}
		})
	}
}

// TestSavePanelsOneValueBelowOne is lab variance --init zeros: the forward
// variances are all 0 and one backward variance is positive, under 1.
// gonum widens a one-value range by ±1, below 0, and its log scale
// panicked.
func TestSavePanelsOneValueBelowOne(t *testing.T) {
	var x, zeros, y []float64
	for l := 1; l <= 10; l++ {
		x, zeros, y = append(x, float64(l)), append(zeros, 0), append(y, 0)
	}
	y[9] = 0.99
	err := SavePanels(filepath.Join(t.TempDir(), "p.png"),
		Panel{LogY: true, Series: []Series{{Label: "zeros", X: x, Y: zeros}}},
		Panel{LogY: true, Series: []Series{{Label: "zeros", X: x, Y: y}}})
	if err != nil {
		t.Fatal(err)
	}
}
