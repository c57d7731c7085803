package lab

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one labelled curve.
type Series struct {
	Label string
	X, Y  []float64
}

// Panel is one plot of a figure.
type Panel struct {
	Title, XLabel, YLabel string
	LogY                  bool // log-scale y axis; points with y <= 0 are left out
	YFromZero             bool // start a linear y axis at 0
	LegendBottom          bool // the legend in the bottom right corner instead of the top right
	Series                []Series
}

// ImageFormat returns the image format for path's extension, or an error
// naming the extensions that work: commands check --plot before running.
func ImageFormat(path string) (string, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	switch ext {
	case "png", "svg", "pdf", "eps", "jpg", "jpeg", "tif", "tiff":
		return ext, nil
	}
	return "", fmt.Errorf("lab: cannot tell the image format of %q; use .png, .svg or .pdf", path)
}

// SavePanels draws panels side by side into one image at path (.png, .svg
// or .pdf).
func SavePanels(path string, panels ...Panel) error {
	format, err := ImageFormat(path)
	if err != nil {
		return err
	}
	row := make([]*plot.Plot, len(panels))
	for i, pn := range panels {
		if row[i], err = newPanel(pn); err != nil {
			return err
		}
	}
	w, h := vg.Length(len(panels))*5*vg.Inch, 4*vg.Inch
	c, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	canvases := plot.Align([][]*plot.Plot{row}, draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Millimeter * 4}, draw.New(c))
	for i, p := range row {
		p.Draw(canvases[0][i])
	}
	return writeImage(path, c)
}

func newPanel(pn Panel) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = pn.Title, pn.XLabel, pn.YLabel
	p.Legend.Top = !pn.LegendBottom
	if pn.LogY && !anyPositive(pn.Series) {
		// A log axis needs a positive range; its ticks from log10(0) never
		// ended. Draw the panel on a linear axis and say so.
		pn.LogY = false
		p.Title.Text += " (no positive value: linear scale)"
	}
	if pn.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = decadeTicks{}
	}
	if pn.YFromZero {
		p.Y.Min = 0
	}
	p.Add(plotter.NewGrid())
	for i, s := range pn.Series {
		pts := make(plotter.XYs, 0, len(s.X))
		for j, x := range s.X {
			y := s.Y[j]
			if math.IsNaN(y) || math.IsInf(y, 0) || pn.LogY && y <= 0 {
				continue
			}
			pts = append(pts, plotter.XY{X: x, Y: y})
		}
		if len(pts) == 0 {
			continue
		}
		l, sc, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, fmt.Errorf("lab: %s: %w", s.Label, err)
		}
		l.Color, sc.Color = plotutil.Color(i), plotutil.Color(i)
		l.Dashes = plotutil.Dashes(i / 7)
		sc.Shape = plotutil.Shape(i)
		if len(pts) > 60 { // a long curve (a loss per step) reads better without marks
			p.Add(l)
			p.Legend.Add(s.Label, l)
			continue
		}
		p.Add(l, sc)
		p.Legend.Add(s.Label, l, sc)
	}
	if pn.LogY && p.Y.Min == p.Y.Max {
		// One value: gonum would widen the range by ±1, below 0 for a
		// value under 1, which a log axis cannot show.
		p.Y.Min, p.Y.Max = p.Y.Min/10, p.Y.Max*10
	}
	if pn.LogY && p.Y.Min > 0 && p.Y.Max < 10*p.Y.Min {
		// Show at least a decade: otherwise a flat curve (a variance of
		// 1 ± 1e-4) fills the panel as if it moved, between unlabelled ticks.
		c := math.Sqrt(p.Y.Min * p.Y.Max)
		p.Y.Min, p.Y.Max = min(p.Y.Min, c/math.Sqrt(10)), max(p.Y.Max, c*math.Sqrt(10))
	}
	return p, nil
}

// anyPositive reports whether some series has a finite positive y.
func anyPositive(series []Series) bool {
	for _, s := range series {
		for _, y := range s.Y {
			if y > 0 && !math.IsInf(y, 1) {
				return true
			}
		}
	}
	return false
}

// decadeTicks labels a log axis at powers of ten ("1e-06"), thinning the
// labels to at most about eight; gonum's LogTicks prints 0.9999999999999998.
type decadeTicks struct{}

func (decadeTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0 && hi >= lo && hi <= math.MaxFloat64) {
		return nil // no decades to label (and no end to count them)
	}
	a, b := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	step := max(1, (b-a+7)/8)
	var ticks []plot.Tick
	for e := a; e <= b; e++ {
		t := plot.Tick{Value: math.Pow(10, float64(e))}
		if (e-a)%step == 0 {
			t.Label = fmt.Sprintf("1e%d", e)
			if e >= -2 && e <= 3 {
				t.Label = strconv.FormatFloat(t.Value, 'g', -1, 64)
			}
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// Histogram draws data's histogram, normalized as a density, with the
// theoretical density over it (if density is non-nil) into path.
func Histogram(path, title, xlabel string, data []float64, density func(float64) float64, densityLabel string) error {
	format, err := ImageFormat(path)
	if err != nil {
		return err
	}
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xlabel, "density"
	p.Legend.Top = true
	h := &plotter.Histogram{Bins: histBins(data, 60), FillColor: plotutil.Color(1), LineStyle: plotter.DefaultLineStyle}
	h.Width = h.Bins[0].Max - h.Bins[0].Min
	h.Normalize(1)
	p.Add(h)
	p.Legend.Add(fmt.Sprintf("draw (%d values)", len(data)), h)
	if density != nil {
		f := plotter.NewFunction(density)
		f.Samples = 400
		f.Color = plotutil.Color(0)
		f.Width = vg.Points(2)
		p.Add(f)
		p.Legend.Add(densityLabel, f)
	}
	c, err := draw.NewFormattedCanvas(6*vg.Inch, 4*vg.Inch, format)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	p.Draw(draw.New(c))
	return writeImage(path, c)
}

// histBins counts data into n equal bins; a constant tensor (zeros, ones)
// gets one bin of width 1 around its value instead of a degenerate range.
func histBins(data []float64, n int) []plotter.HistogramBin {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range data {
		lo, hi = min(lo, v), max(hi, v)
	}
	if len(data) == 0 || lo == hi {
		if len(data) == 0 {
			lo, hi = 0, 0
		}
		return []plotter.HistogramBin{{Min: lo - 0.5, Max: hi + 0.5, Weight: float64(len(data))}}
	}
	bins := make([]plotter.HistogramBin, n)
	w := (hi - lo) / float64(n)
	for i := range bins {
		bins[i].Min, bins[i].Max = lo+float64(i)*w, lo+float64(i+1)*w
	}
	for _, v := range data {
		bins[min(int((v-lo)/w), n-1)].Weight++
	}
	return bins
}

func writeImage(path string, c vg.CanvasWriterTo) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("lab: writing %s: %w", path, err)
	}
	return f.Close()
}
