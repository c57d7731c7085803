package data

import "testing"

// TestByteImagesFill: a set stored as bytes fills batches and answers
// Image with the table's values, image by image, like a float32 set.
func TestByteImagesFill(t *testing.T) {
	raw := make([]byte, 3*2*2)
	for i := range raw {
		raw[i] = byte(i * 21)
	}
	m, err := newByteImages(raw, &pixelTable, []int{0, 2, 1}, 2, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 2*4)
	labels := make([]int, 2)
	m.Fill(x, labels, []int{2, 0})
	for k, i := range []int{2, 0} {
		img := m.Image(i)
		for j := range 4 {
			want := NormalizePixel(raw[i*4+j])
			if x[k*4+j] != want || img[j] != want {
				t.Fatalf("image %d pixel %d: Fill %v, Image %v, want %v", i, j, x[k*4+j], img[j], want)
			}
		}
		if labels[k] != m.Label(i) {
			t.Fatalf("label %d = %d, want %d", k, labels[k], m.Label(i))
		}
	}
	if _, err := newByteImages(raw[:5], &pixelTable, []int{0, 2, 1}, 2, 2, 3); err == nil {
		t.Error("no error for 5 bytes of 3 2x2 images")
	}
	if _, err := newByteImages(raw, &pixelTable, []int{0, 3, 1}, 2, 2, 3); err == nil {
		t.Error("no error for label 3 of 3 classes")
	}
}
