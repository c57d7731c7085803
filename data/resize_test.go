package data_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/descent-ml/descent/data"
)

// TestResizeMatchesPIL: images resized (down, up, one axis) and converted
// to grayscale are PIL's bytes exactly; testdata/resize/make_resize_golden.py
// wrote the expected bytes with PIL.
func TestResizeMatchesPIL(t *testing.T) {
	b, err := os.ReadFile("testdata/resize/resize_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var gf struct {
		Cases []struct {
			Width, Height int
			RGB           [][3]int
			Gray          []int
		}
	}
	if err := json.Unmarshal(b, &gf); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	png, _ := os.ReadFile("testdata/resize/rgb.png")
	os.MkdirAll(filepath.Join(root, "a"), 0o755)
	os.WriteFile(filepath.Join(root, "a", "rgb.png"), png, 0o644)
	for _, c := range gf.Cases {
		for _, ch := range []int{3, 1} {
			f, err := data.ReadImageFolder(root, data.ImageFolderOptions{Height: c.Height, Width: c.Width, Channels: ch})
			if err != nil {
				t.Fatal(err)
			}
			unit := &data.ImagePrep{Classes: f.Classes, Height: c.Height, Width: c.Width, Channels: ch,
				Mean: make([]float64, ch), Std: []float64{1. / 255, 1. / 255, 1. / 255}[:ch]}
			ds, _ := f.Dataset(unit, nil)
			x := make([]float32, ch*c.Height*c.Width)
			ds.Fill(x, make([]int, 1), []int{0})
			plane := c.Height * c.Width
			for i := range plane {
				for k := range ch {
					want := c.Gray[i]
					if ch == 3 {
						want = c.RGB[i][k]
					}
					if got := int(x[k*plane+i] + 0.5); got != want {
						t.Fatalf("%dx%d, %d channels: pixel %d channel %d = %d, PIL %d", c.Width, c.Height, ch, i, k, got, want)
					}
				}
			}
		}
	}
}
