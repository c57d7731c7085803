// Command owndata writes small data sets in the forms descent train reads
// besides MNIST, for trying them out: blobs.csv (three Gaussian blobs in
// two numeric features and a text one, text labels), linear.csv (a
// regression: y = 3a − 2b ± 1.5 by a text column, plus noise of std 0.1)
// and stripes/ (an image folder: 64x64 RGB PNGs of horizontal or vertical
// stripes, one folder per class).
//
//	go run ./examples/owndata DIR
package main

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: owndata DIR")
	}
	dir := os.Args[1]
	rng := rand.New(rand.NewPCG(1, 2))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	writeCSV(filepath.Join(dir, "blobs.csv"), "x1,x2,color,species", 1500, func(w *bufio.Writer) {
		k := rng.IntN(3)
		fmt.Fprintf(w, "%.3f,%.3f,%s,%s\n", []float64{0, 3, -3}[k]+rng.NormFloat64(), []float64{3, 0, -2}[k]+rng.NormFloat64(),
			[]string{"red", "blue"}[rng.IntN(2)], []string{"setosa", "versicolor", "virginica"}[k])
	})
	writeCSV(filepath.Join(dir, "linear.csv"), "a,b,kind,y", 2000, func(w *bufio.Writer) {
		a, b, k := rng.NormFloat64(), rng.NormFloat64(), rng.IntN(2)
		fmt.Fprintf(w, "%.4f,%.4f,%s,%.4f\n", a, b, []string{"p", "q"}[k], 3*a-2*b+[]float64{1.5, -1.5}[k]+0.1*rng.NormFloat64())
	})
	for _, class := range []string{"horizontal", "vertical"} {
		if err := os.MkdirAll(filepath.Join(dir, "stripes", class), 0o755); err != nil {
			log.Fatal(err)
		}
		for i := range 200 {
			writeStripes(filepath.Join(dir, "stripes", class, fmt.Sprintf("%03d.png", i)), class == "horizontal", rng)
		}
	}
}

func writeCSV(path, header string, rows int, row func(*bufio.Writer)) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, header)
	for range rows {
		row(w)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	f.Close()
}

// writeStripes draws horizontal or vertical stripes of random period,
// phase and colours, with noise.
func writeStripes(path string, horizontal bool, rng *rand.Rand) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	period, phase := 8+rng.IntN(17), rng.IntN(64)
	fg := color.RGBA{uint8(128 + rng.IntN(128)), uint8(128 + rng.IntN(128)), uint8(rng.IntN(256)), 255}
	for y := range 64 {
		for x := range 64 {
			t := x
			if horizontal {
				t = y
			}
			c := color.RGBA{uint8(rng.IntN(80)), uint8(rng.IntN(80)), uint8(rng.IntN(80)), 255}
			if (t+phase)%period < period/2 {
				c = fg
			}
			img.Set(x, y, c)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	f.Close()
}
