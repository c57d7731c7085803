package race

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Colors are the paths' colors, in order.
var Colors = []color.RGBA{
	{230, 25, 75, 255}, {60, 140, 60, 255}, {0, 100, 220, 255}, {245, 130, 48, 255},
	{145, 30, 180, 255}, {0, 170, 170, 255}, {240, 50, 230, 255}, {120, 90, 20, 255},
	{0, 0, 128, 255}, {128, 128, 0, 255}, {0, 0, 0, 255},
}

// grid samples a surface for the contour plot.
type grid struct {
	s      *Surface
	n      int
	z      []float64
	window [4]float64
}

func newGrid(s *Surface, n int) *grid {
	gr := &grid{s: s, n: n, z: make([]float64, n*n), window: s.Window}
	lo := math.Inf(1)
	for r := range n {
		for c := range n {
			v := s.Value(gr.X(c), gr.Y(r))
			gr.z[r*n+c] = v
			lo = min(lo, v)
		}
	}
	if s.LogLevels {
		for i, v := range gr.z {
			gr.z[i] = math.Log1p(v - lo)
		}
	}
	return gr
}

func (gr *grid) Dims() (c, r int)   { return gr.n, gr.n }
func (gr *grid) Z(c, r int) float64 { return gr.z[r*gr.n+c] }
func (gr *grid) X(c int) float64 {
	return gr.window[0] + (gr.window[1]-gr.window[0])*float64(c)/float64(gr.n-1)
}
func (gr *grid) Y(r int) float64 {
	return gr.window[2] + (gr.window[3]-gr.window[2])*float64(r)/float64(gr.n-1)
}

// levels returns n contour levels spread over the grid's values.
func (gr *grid) levels(n int) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range gr.z {
		lo, hi = min(lo, v), max(hi, v)
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = lo + (hi-lo)*(float64(i)+0.5)/float64(n)
	}
	return out
}

// newPlot draws the surface's contours, minima and start, and the paths
// up to step upTo (all of them when upTo < 0).
func newPlot(s *Surface, gr *grid, paths []Path, upTo int) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = s.Name + ": " + s.Formula
	p.X.Label.Text, p.Y.Label.Text = "x", "y"
	levels := gr.levels(18)
	contour := plotter.NewContour(gr, levels, moreland.SmoothBlueRed().Palette(len(levels)))
	contour.LineStyles = []vgdraw.LineStyle{{Width: vg.Points(0.6)}}
	p.Add(contour)
	p.Legend.Top, p.Legend.Left = true, false
	for i, path := range paths {
		pts := path.Points
		if k := Diverged(pts); k >= 0 {
			pts = pts[:k]
		}
		if upTo >= 0 && upTo+1 < len(pts) {
			pts = pts[:upTo+1]
		}
		xys := make(plotter.XYs, len(pts))
		for j, pt := range pts {
			xys[j] = plotter.XY{X: pt.X, Y: pt.Y}
		}
		col := Colors[i%len(Colors)]
		if len(xys) >= 2 {
			line, err := plotter.NewLine(xys)
			if err != nil {
				return nil, err
			}
			line.Color, line.Width = col, vg.Points(1.5)
			p.Add(line)
			p.Legend.Add(path.Label, line)
		}
		if len(xys) >= 1 {
			head, err := plotter.NewScatter(xys[len(xys)-1:])
			if err != nil {
				return nil, err
			}
			head.GlyphStyle = vgdraw.GlyphStyle{Color: col, Radius: vg.Points(2.5), Shape: vgdraw.CircleGlyph{}}
			p.Add(head)
		}
	}
	if err := markers(p, s, paths); err != nil {
		return nil, err
	}
	// Fix the window last: adding plotters widens the axes to their data,
	// and paths that leave the window are clipped to it.
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = s.Window[0], s.Window[1], s.Window[2], s.Window[3]
	return p, nil
}

// markers marks the start (a ring) and the minima (stars).
func markers(p *plot.Plot, s *Surface, paths []Path) error {
	var starts, minima plotter.XYs
	for _, path := range paths {
		if len(path.Points) > 0 {
			starts = append(starts, plotter.XY{X: path.Points[0].X, Y: path.Points[0].Y})
		}
	}
	for _, m := range s.Minima {
		minima = append(minima, plotter.XY{X: m[0], Y: m[1]})
	}
	for _, mk := range []struct {
		xys   plotter.XYs
		label string
		shape vgdraw.GlyphDrawer
	}{{starts, "start", vgdraw.RingGlyph{}}, {minima, minimumLabel(s), vgdraw.PyramidGlyph{}}} {
		if len(mk.xys) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(mk.xys)
		if err != nil {
			return err
		}
		sc.GlyphStyle = vgdraw.GlyphStyle{Color: color.Black, Radius: vg.Points(4), Shape: mk.shape}
		p.Add(sc)
		p.Legend.Add(mk.label, sc)
	}
	return nil
}

func minimumLabel(s *Surface) string {
	if s.Name == "saddle" {
		return "saddle point"
	}
	return "minimum"
}

const (
	width, height = 6 * vg.Inch, 5 * vg.Inch
	gridSize      = 120
)

// PNG writes the race as a contour plot with one path per optimizer.
func PNG(path string, s *Surface, paths []Path) error {
	gr := newGrid(s, gridSize)
	p, err := newPlot(s, gr, paths, -1)
	if err != nil {
		return err
	}
	return p.Save(width, height, path)
}

// GIF writes the race as an animation in which the paths grow step by
// step: at most maxFrames frames, the last one held for two seconds.
func GIF(path string, s *Surface, paths []Path, maxFrames int) error {
	steps := 0
	for _, p := range paths {
		steps = max(steps, len(p.Points)-1)
	}
	frames := min(max(maxFrames, 2), steps+1)
	gr := newGrid(s, gridSize)
	pal := framePalette()
	cache := map[color.RGBA]uint8{}
	anim := &gif.GIF{}
	for f := range frames {
		upTo := int(math.Round(float64(f) * float64(steps) / float64(frames-1)))
		p, err := newPlot(s, gr, paths, upTo)
		if err != nil {
			return err
		}
		p.Title.Text = fmt.Sprintf("%s: %s, step %d", s.Name, s.Formula, upTo)
		c := vgimg.New(width*0.8, height*0.8)
		p.Draw(vgdraw.New(c))
		anim.Image = append(anim.Image, quantize(c.Image(), pal, cache))
		delay := 8
		if f == frames-1 {
			delay = 200
		}
		anim.Delay = append(anim.Delay, delay)
	}
	return writeFile(path, func(w *bufio.Writer) error { return gif.EncodeAll(w, anim) })
}

// quantize maps img onto pal, nearest color per pixel. Plots have few
// distinct colors, so the nearest-color search is cached: draw.Draw's
// search for every pixel costs most of a second per frame.
func quantize(img image.Image, pal color.Palette, cache map[color.RGBA]uint8) *image.Paletted {
	b := img.Bounds()
	dst := image.NewPaletted(b, pal)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			i, ok := cache[c]
			if !ok {
				i = uint8(pal.Index(c))
				cache[c] = i
			}
			dst.Pix[(y-b.Min.Y)*dst.Stride+(x-b.Min.X)] = i
		}
	}
	return dst
}

// framePalette is the web-safe palette plus the paths' colors, so that
// paths keep their exact colors in the GIF.
func framePalette() color.Palette {
	pal := append(color.Palette{}, palette.WebSafe...)
	for _, c := range Colors {
		pal = append(pal, c)
	}
	return pal
}

func writeFile(path string, write func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := write(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// CheckImagePath returns an error unless path ends in .png or .gif, so
// that commands can refuse a bad --plot before running.
func CheckImagePath(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".gif":
		return nil
	}
	return fmt.Errorf("cannot draw %q: the race is drawn as .png (contour plot) or .gif (animation)", path)
}

// Save writes a PNG or a GIF according to path's extension.
func Save(path string, s *Surface, paths []Path) error {
	if err := CheckImagePath(path); err != nil {
		return err
	}
	if strings.ToLower(filepath.Ext(path)) == ".gif" {
		return GIF(path, s, paths, 60)
	}
	return PNG(path, s, paths)
}
