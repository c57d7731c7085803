package data

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Dataset is a fixed collection of labelled examples addressed by index.
// Implementations are read-only after construction, so one Dataset may
// feed several Loaders and goroutines at once.
type Dataset interface {
	// Len is the number of examples.
	Len() int
	// Shape is the shape of one example, e.g. [1 28 28]. The slice belongs
	// to the Dataset: do not modify it.
	Shape() []int
	// Classes is the number of label values: labels lie in [0, Classes).
	Classes() int
	// Fill copies example idx[k] into x[k*F:(k+1)*F], where F is the
	// product of Shape, and its label into labels[k]. It allocates nothing
	// and panics if x or labels is too short or an index is out of range.
	Fill(x []float32, labels []int, idx []int)
}

// Images is an in-memory image classification set in row-major
// [N, 1, rows, cols]: pixels decoded and normalized once and stored as
// float32, or (MNIST and other IDX sets) kept as their raw bytes and
// normalized through a 256-entry table as Fill copies them, which takes a
// quarter of the memory and spares the start-up the conversion of every
// pixel (MNIST: 47M pixels, 188 MB as float32).
type Images struct {
	shape   [3]int // [1 rows cols]
	size    int    // rows*cols
	classes int
	pixels  []float32
	raw     []byte        // raw pixels, when pixels is nil
	table   *[256]float32 // the normalized value of each raw byte
	labels  []int
}

var _ Dataset = (*Images)(nil)

// NewImages wraps pixels ([n*rows*cols] values, already normalized) and
// labels (n values in [0, classes)) without copying.
func NewImages(pixels []float32, labels []int, rows, cols, classes int) (*Images, error) {
	n := len(labels)
	if rows <= 0 || cols <= 0 || len(pixels) != n*rows*cols {
		return nil, fmt.Errorf("data: %d pixel values do not make %d images of %dx%d", len(pixels), n, rows, cols)
	}
	if err := checkLabels(labels, classes); err != nil {
		return nil, err
	}
	return &Images{shape: [3]int{1, rows, cols}, size: rows * cols, classes: classes, pixels: pixels, labels: labels}, nil
}

// newByteImages is NewImages for raw pixel bytes that table normalizes.
func newByteImages(raw []byte, table *[256]float32, labels []int, rows, cols, classes int) (*Images, error) {
	n := len(labels)
	if rows <= 0 || cols <= 0 || len(raw) != n*rows*cols {
		return nil, fmt.Errorf("data: %d pixel values do not make %d images of %dx%d", len(raw), n, rows, cols)
	}
	if err := checkLabels(labels, classes); err != nil {
		return nil, err
	}
	return &Images{shape: [3]int{1, rows, cols}, size: rows * cols, classes: classes, raw: raw, table: table, labels: labels}, nil
}

func checkLabels(labels []int, classes int) error {
	for i, l := range labels {
		if l < 0 || l >= classes {
			return fmt.Errorf("data: label %d of image %d is out of range [0, %d)", l, i, classes)
		}
	}
	return nil
}

// Len returns the number of images.
func (m *Images) Len() int { return len(m.labels) }

// Shape returns [1 rows cols]: one channel, PyTorch's NCHW layout.
func (m *Images) Shape() []int { return m.shape[:] }

// Classes returns the number of label values.
func (m *Images) Classes() int { return m.classes }

// Image returns the normalized pixels of image i: a view (do not modify)
// of float32 pixels, or a new slice for a set stored as bytes.
func (m *Images) Image(i int) []float32 {
	if m.table != nil {
		x := make([]float32, m.size)
		m.fillOne(x, i)
		return x
	}
	return m.pixels[i*m.size : (i+1)*m.size]
}

// fillOne writes image i's normalized pixels into x.
func (m *Images) fillOne(x []float32, i int) {
	if m.table == nil {
		copy(x[:m.size], m.pixels[i*m.size:(i+1)*m.size])
		return
	}
	t := m.table
	src := m.raw[i*m.size : (i+1)*m.size]
	x = x[:len(src)]
	for j, b := range src {
		x[j] = t[b]
	}
}

// Label returns the label of image i.
func (m *Images) Label(i int) int { return m.labels[i] }

// Fill copies the images idx into x and their labels into labels.
func (m *Images) Fill(x []float32, labels []int, idx []int) {
	if len(x) < len(idx)*m.size || len(labels) < len(idx) {
		panic(fmt.Sprintf("data: Fill of %d images needs %d values and %d labels, got %d and %d", len(idx), len(idx)*m.size, len(idx), len(x), len(labels)))
	}
	for k, i := range idx {
		m.fillOne(x[k*m.size:(k+1)*m.size], i)
		labels[k] = m.labels[i]
	}
}

// subset is a Dataset that shows the examples idx of another.
type subset struct {
	ds  Dataset
	idx []int
}

// Subset returns the examples idx of ds, in that order, as a Dataset. It
// shares ds's storage and keeps idx.
func Subset(ds Dataset, idx []int) (Dataset, error) {
	for k, i := range idx {
		if i < 0 || i >= ds.Len() {
			return nil, fmt.Errorf("data: subset index %d (position %d) is out of range [0, %d)", i, k, ds.Len())
		}
	}
	return &subset{ds: ds, idx: idx}, nil
}

// First returns the first n examples of ds, for fast tests and experiments.
func First(ds Dataset, n int) (Dataset, error) {
	if n <= 0 || n > ds.Len() {
		return nil, fmt.Errorf("data: cannot take the first %d of %d examples: want 1 to %d", n, ds.Len(), ds.Len())
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return Subset(ds, idx)
}

// Sample returns n examples of ds drawn without replacement by rng, kept in
// their original order (so a sample of a sorted set stays sorted).
func Sample(ds Dataset, n int, rng *rand.Rand) (Dataset, error) {
	if n <= 0 || n > ds.Len() {
		return nil, fmt.Errorf("data: cannot sample %d of %d examples: want 1 to %d", n, ds.Len(), ds.Len())
	}
	idx := rng.Perm(ds.Len())[:n]
	slices.Sort(idx)
	return Subset(ds, idx)
}

func (s *subset) Len() int      { return len(s.idx) }
func (s *subset) Shape() []int  { return s.ds.Shape() }
func (s *subset) Classes() int  { return s.ds.Classes() }
func (s *subset) features() int { return product(s.ds.Shape()) }

// Fill maps each index through the subset one example at a time: passing
// a one-element window of s.idx keeps it allocation-free.
func (s *subset) Fill(x []float32, labels []int, idx []int) {
	f := s.features()
	if len(x) < len(idx)*f || len(labels) < len(idx) {
		panic(fmt.Sprintf("data: Fill of %d examples needs %d values and %d labels, got %d and %d", len(idx), len(idx)*f, len(idx), len(x), len(labels)))
	}
	for k, i := range idx {
		s.ds.Fill(x[k*f:(k+1)*f], labels[k:k+1], s.idx[i:i+1])
	}
}

// product is the number of elements of a shape.
func product(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
