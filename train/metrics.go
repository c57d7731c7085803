package train

import (
	"encoding/csv"
	"fmt"
	"image/color"
	"io"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// EpochMetrics is one row of metrics.csv.
type EpochMetrics struct {
	Epoch        int
	TrainLoss    float64
	TestLoss     float64
	TestAccuracy float64
	LR           float64
	Seconds      float64
}

// MetricsHeader is the header of metrics.csv, a contract scripts parse.
var MetricsHeader = []string{"epoch", "train_loss", "test_loss", "test_accuracy", "lr", "seconds"}

func f64(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// WriteMetricsCSV writes rows with MetricsHeader.
func WriteMetricsCSV(w io.Writer, rows []EpochMetrics) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(MetricsHeader); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write([]string{strconv.Itoa(r.Epoch), f64(r.TrainLoss), f64(r.TestLoss),
			f64(r.TestAccuracy), f64(r.LR), f64(r.Seconds)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadMetricsCSV parses a metrics.csv written by WriteMetricsCSV. Errors
// name the line and the field that is wrong.
func ReadMetricsCSV(r io.Reader) ([]EpochMetrics, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(MetricsHeader)
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("metrics.csv: %v", err)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], MetricsHeader) {
		return nil, fmt.Errorf("metrics.csv line 1: want the header %s", strings.Join(MetricsHeader, ","))
	}
	var rows []EpochMetrics
	for i, rec := range recs[1:] {
		var m EpochMetrics
		var err error
		if m.Epoch, err = strconv.Atoi(rec[0]); err != nil {
			return nil, fmt.Errorf("metrics.csv line %d: field epoch: %q is not an integer", i+2, rec[0])
		}
		vals := []*float64{&m.TrainLoss, &m.TestLoss, &m.TestAccuracy, &m.LR, &m.Seconds}
		for j, p := range vals {
			if *p, err = strconv.ParseFloat(rec[j+1], 64); err != nil {
				return nil, fmt.Errorf("metrics.csv line %d: field %s: %q is not a number", i+2, MetricsHeader[j+1], rec[j+1])
			}
		}
		rows = append(rows, m)
	}
	return rows, nil
}

// Series is one named curve set for a curves picture: a run, an optimizer,
// an initializer.
type Series struct {
	Name string
	Rows []EpochMetrics
	// Steps, if any, is the step-level training loss, drawn smoothed in
	// place of the per-epoch training loss.
	Steps []StepLoss
}

// palette gives distinguishable colours for up to a dozen series.
var palette = []color.Color{
	color.RGBA{31, 119, 180, 255}, color.RGBA{255, 127, 14, 255}, color.RGBA{44, 160, 44, 255},
	color.RGBA{214, 39, 40, 255}, color.RGBA{148, 103, 189, 255}, color.RGBA{140, 86, 75, 255},
	color.RGBA{227, 119, 194, 255}, color.RGBA{127, 127, 127, 255}, color.RGBA{188, 189, 34, 255},
	color.RGBA{23, 190, 207, 255}, color.RGBA{0, 0, 0, 255}, color.RGBA{255, 200, 0, 255},
}

// Color returns the i-th colour of the palette used by every descent picture.
func Color(i int) color.Color { return palette[i%len(palette)] }

// PlotCurves draws loss (train solid, test dashed) and test accuracy per
// epoch for each series, side by side, into a PNG file.
func PlotCurves(path, title string, series []Series) error {
	loss := plot.New()
	loss.Title.Text = title + ": loss"
	loss.X.Label.Text = "epoch"
	loss.Y.Label.Text = "cross-entropy loss"
	acc := plot.New()
	acc.Title.Text = title + ": test accuracy"
	acc.X.Label.Text = "epoch"
	acc.Y.Label.Text = "accuracy"
	var err error
	for i, s := range series {
		train, test, accuracy := make(plotter.XYs, len(s.Rows)), make(plotter.XYs, len(s.Rows)), make(plotter.XYs, len(s.Rows))
		for j, r := range s.Rows {
			x := float64(r.Epoch)
			train[j] = plotter.XY{X: x, Y: r.TrainLoss}
			test[j] = plotter.XY{X: x, Y: r.TestLoss}
			accuracy[j] = plotter.XY{X: x, Y: r.TestAccuracy}
		}
		prefix, name := s.Name+" ", s.Name
		if name == "" {
			prefix, name = "", "test"
		}
		if len(s.Steps) > 0 {
			err = addSmoothed(loss, s.Steps, Color(i), prefix+"train")
		} else {
			err = addLine(loss, train, Color(i), nil, prefix+"train")
		}
		if err != nil {
			return err
		}
		if err := addLine(loss, test, Color(i), []vg.Length{vg.Points(4), vg.Points(3)}, prefix+"test"); err != nil {
			return err
		}
		if err := addLine(acc, accuracy, Color(i), nil, name); err != nil {
			return err
		}
	}
	loss.Legend.Top = true
	acc.Legend.Top = false
	acc.Legend.Left = false
	return savePanels(path, []*plot.Plot{loss, acc}, 12*vg.Inch, 4.5*vg.Inch)
}

func addLine(p *plot.Plot, xys plotter.XYs, c color.Color, dashes []vg.Length, name string) error {
	l, pts, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	l.Color, l.Dashes = c, dashes
	pts.Color, pts.Shape = c, draw.CircleGlyph{}
	pts.Radius = vg.Points(2)
	p.Add(l, pts)
	p.Legend.Add(name, l)
	return nil
}

// savePanels draws plots side by side into one PNG.
func savePanels(path string, plots []*plot.Plot, width, height vg.Length) error {
	img := vgimg.New(width, height)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 2,
		PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2}
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, dc)
	for j, p := range plots {
		p.Draw(canvases[0][j])
	}
	// Atomic like the other files of a run directory: a run killed while
	// drawing leaves the previous picture, not half of one.
	return writeFileAtomic(path, func(w io.Writer) error {
		_, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w)
		return err
	})
}
