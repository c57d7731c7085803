package data_test

import (
	"math"
	"testing"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/tensor"
)

func TestSpiral(t *testing.T) {
	x, labels := data.Spiral(tensor.NewRand(1), 50, 3)
	if got := x.Shape(); len(got) != 2 || got[0] != 150 || got[1] != 2 || len(labels) != 150 {
		t.Fatalf("shape %v with %d labels, want [150 2] and 150", got, len(labels))
	}
	for k, c := range labels {
		if c != k/50 {
			t.Fatalf("label %d of point %d, want %d", c, k, k/50)
		}
		r := math.Hypot(float64(x.At(k, 0)), float64(x.At(k, 1)))
		if want := float64(k%50) / 50; math.Abs(r-want) > 1e-6 {
			t.Fatalf("point %d at radius %v, want %v", k, r, want)
		}
	}
	y, _ := data.Spiral(tensor.NewRand(1), 50, 3)
	for i, v := range x.Data() {
		if y.Data()[i] != v {
			t.Fatal("same seed, different points")
		}
	}
}
