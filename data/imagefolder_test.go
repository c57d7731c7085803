package data_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
)

func writeImage(t *testing.T, path string, img image.Image) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	switch filepath.Ext(path) {
	case ".png":
		err = png.Encode(f, img)
	case ".jpg":
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 100})
	case ".gif":
		err = gif.Encode(f, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// rgb2x2 is a 2×2 RGB image whose pixel (x, y) is (v, 2v, 3v), v = 10(1+x+2y).
func rgb2x2() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	for y := range 2 {
		for x := range 2 {
			v := uint8(10 * (1 + x + 2*y))
			img.SetNRGBA(x, y, color.NRGBA{v, 2 * v, 3 * v, 255})
		}
	}
	return img
}

func TestImageFolder(t *testing.T) {
	root := t.TempDir()
	writeImage(t, filepath.Join(root, "dog", "a.png"), rgb2x2())
	gray := image.NewGray(image.Rect(0, 0, 4, 4))
	for i := range gray.Pix {
		gray.Pix[i] = 100
	}
	writeImage(t, filepath.Join(root, "cat", "b.png"), gray)
	pal := image.NewPaletted(image.Rect(0, 0, 2, 2), color.Palette{color.NRGBA{0, 0, 0, 255}, color.NRGBA{255, 255, 255, 255}})
	pal.Pix = []uint8{0, 1, 1, 0}
	writeImage(t, filepath.Join(root, "cat", "c.gif"), pal)
	writeImage(t, filepath.Join(root, "cat", "d.jpg"), gray)
	os.WriteFile(filepath.Join(root, "cat", "notes.txt"), []byte("skipped"), 0o644)

	// Classes sorted, files sorted within a class; the first image (cat/b,
	// grayscale 4×4) sets 1 channel and 4×4.
	f, err := data.ReadImageFolder(root, data.ImageFolderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Classes, []string{"cat", "dog"}) || !slices.Equal(f.Files, []string{"cat/b.png", "cat/c.gif", "cat/d.jpg", "dog/a.png"}) ||
		f.Channels != 1 || f.Height != 4 || f.Width != 4 {
		t.Fatalf("folder %+v", f)
	}

	// RGB at 2×2: dog/a.png exactly; resized to 1×1 it is the mean.
	f, err = data.ReadImageFolder(root, data.ImageFolderOptions{Height: 2, Width: 2, Channels: 3})
	if err != nil {
		t.Fatal(err)
	}
	prep := f.Fit(nil)
	unit := &data.ImagePrep{Classes: prep.Classes, Height: 2, Width: 2, Channels: 3, Mean: []float64{0, 0, 0}, Std: []float64{1. / 255, 1. / 255, 1. / 255}}
	ds, err := f.Dataset(unit, []int{3, 1})
	if err != nil {
		t.Fatal(err)
	}
	x, labels := make([]float32, 2*12), make([]int, 2)
	ds.Fill(x, labels, []int{0, 1})
	want := []float32{10, 20, 30, 40, 20, 40, 60, 80, 30, 60, 90, 120, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0}
	if !slices.Equal(x, want) || !slices.Equal(labels, []int{1, 0}) || ds.File(0) != "dog/a.png" {
		t.Fatalf("pixels %v labels %v, want %v [1 0]", x, labels, want)
	}
	small, err := data.ReadImageFolder(root, data.ImageFolderOptions{Height: 1, Width: 1, Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	sp := small.Fit([]int{3})
	// The 2×2 RGB image's luma, averaged: mean of 0.299v + 0.587·2v + 0.114·3v over v = 10..40.
	if lum := (0.299 + 2*0.587 + 3*0.114) * 25 / 255; math.Abs(sp.Mean[0]-math.Round(lum*255)/255) > 1e-12 {
		t.Errorf("1×1 grayscale mean %v, want %v", sp.Mean[0], math.Round(lum*255)/255)
	}

	// Per-channel statistics over the training images, pixels in [0, 1].
	var s, ss [3]float64
	for i, v := range x[:12] {
		s[i/4] += float64(v) / 255
		ss[i/4] += float64(v) / 255 * float64(v) / 255
	}
	p3 := f.Fit([]int{3})
	for c := range 3 {
		m := s[c] / 4
		if math.Abs(p3.Mean[c]-m) > 1e-12 || math.Abs(p3.Std[c]-math.Sqrt(ss[c]/4-m*m)) > 1e-9 {
			t.Errorf("channel %d: mean %v std %v, want %v %v", c, p3.Mean[c], p3.Std[c], m, math.Sqrt(ss[c]/4-m*m))
		}
	}
	// The preprocessing survives JSON; a damaged one is refused.
	js, _ := json.Marshal(p3)
	if back, err := data.ReadImagePrep(bytes.NewReader(js), "prep.json"); err != nil || !reflect.DeepEqual(back, p3) {
		t.Errorf("JSON round trip: %+v, %v", back, err)
	}
	if _, err := data.ReadImagePrep(strings.NewReader(`{"classes":["a"],"height":2,"width":2,"channels":3,"mean":[0],"std":[1]}`), "bad.json"); err == nil {
		t.Error("a preprocessing with 1 mean for 3 channels was accepted")
	}
	// A test folder read with the training preprocessing keeps its classes.
	test := t.TempDir()
	writeImage(t, filepath.Join(test, "dog", "z.png"), rgb2x2())
	tf, err := data.ReadImageFolder(test, data.ImageFolderOptions{Prep: p3})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := tf.Dataset(p3, nil)
	if err != nil || ts.Classes() != 2 {
		t.Fatalf("test set: %v", err)
	}
	ts.Fill(x[:12], labels[:1], []int{0})
	if labels[0] != 1 {
		t.Errorf("test label %d, want 1 (dog)", labels[0])
	}
}

// TestImageFolderNested: images in a class folder's subfolders belong to
// the class, in torchvision's order (os.walk sorted: a folder's own files,
// then each subfolder's, by path); hidden folders are skipped.
func TestImageFolderNested(t *testing.T) {
	root := t.TempDir()
	img := rgb2x2()
	for _, name := range []string{"cat/z.png", "cat/2019/b.png", "cat/2019/a.png", "cat/-x/c.png", "cat/a.png", "cat/.ipynb_checkpoints/a.png", "dog/2020/deep/d.png"} {
		writeImage(t, filepath.Join(root, filepath.FromSlash(name)), img)
	}
	f, err := data.ReadImageFolder(root, data.ImageFolderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cat/a.png", "cat/z.png", "cat/-x/c.png", "cat/2019/a.png", "cat/2019/b.png", "dog/2020/deep/d.png"}
	if !slices.Equal(f.Files, want) || !slices.Equal(f.Classes, []string{"cat", "dog"}) {
		t.Fatalf("files %v, want %v", f.Files, want)
	}
}

func TestImageFolderErrors(t *testing.T) {
	mk := func(files map[string]string) string {
		root := t.TempDir()
		for name, content := range files {
			os.MkdirAll(filepath.Join(root, filepath.Dir(name)), 0o755)
			if content == "png" {
				writeImage(t, filepath.Join(root, name), rgb2x2())
				continue
			}
			os.WriteFile(filepath.Join(root, name), []byte(content), 0o644)
		}
		return root
	}
	cases := []struct {
		name  string
		files map[string]string
		opts  data.ImageFolderOptions
		want  string
	}{
		{"broken image", map[string]string{"a/1.png": "png", "a/2.png": "not a png"}, data.ImageFolderOptions{}, "a/2.png: not a decodable PNG, JPEG or GIF image"},
		{"empty class", map[string]string{"a/1.png": "png", "b/readme.txt": "x"}, data.ImageFolderOptions{}, "b: class folder with no images"},
		{"no classes", map[string]string{"1.png": "png"}, data.ImageFolderOptions{}, "no class folders"},
		{"bad channels", map[string]string{"a/1.png": "png"}, data.ImageFolderOptions{Channels: 2}, "want positive sizes and 1 or 3 channels"},
		{"unknown class", map[string]string{"z/1.png": "png"}, data.ImageFolderOptions{Prep: &data.ImagePrep{Classes: []string{"a"}, Height: 2, Width: 2, Channels: 3}},
			`class "z" was not in the training data (classes: a)`},
		{"too big", map[string]string{"a/1.png": "png"}, data.ImageFolderOptions{MemoryLimit: 4}, "1 images of 3x2x2 need"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := data.ReadImageFolder(mk(c.files), c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line containing %q", err, c.want)
			}
		})
	}
}
