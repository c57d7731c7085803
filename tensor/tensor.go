// Package tensor implements dense, row-major n-dimensional arrays of float32
// or float64 and the numerical operations on them: NumPy broadcasting for
// element-wise ops, reductions, batched matrix multiplication, softmax,
// 2-D convolution and pooling.
//
// Every op writes into a destination tensor that the caller provides, so
// that callers that reuse their buffers (the autograd package does) allocate
// nothing in steady state. One generic implementation serves both element
// types; float32 is what training uses, float64 is for gradient checks and
// experiments.
package tensor

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/descent-ml/descent/internal/kernel"
)

// Float is the set of element types a Tensor can hold.
type Float interface{ ~float32 | ~float64 }

// MaxDims is the largest number of dimensions a Tensor can have.
const MaxDims = 6

// Tensor is a dense row-major n-d array. Its elements are always contiguous:
// element (i0, i1, ..., ik) lives at Data()[((i0*d1+i1)*d2+i2)...].
// The zero Tensor is an empty scalar-less tensor of shape [].
type Tensor[T Float] struct {
	dims [MaxDims]int
	ndim int
	data []T
}

// New returns a zero-filled tensor of the given shape.
func New[T Float](shape ...int) *Tensor[T] {
	t := &Tensor[T]{}
	n := t.setShape(shape)
	t.data = make([]T, n)
	return t
}

// FromSlice wraps data (without copying) as a tensor of the given shape.
// It panics if len(data) does not equal the product of shape.
func FromSlice[T Float](data []T, shape ...int) *Tensor[T] {
	t := &Tensor[T]{}
	n := t.setShape(shape)
	if n != len(data) {
		panic(fmt.Sprintf("tensor: FromSlice: %d elements do not fill shape %v", len(data), slices.Clone(shape)))
	}
	t.data = data
	return t
}

// Scalar returns a tensor of shape [] holding v.
func Scalar[T Float](v T) *Tensor[T] { return FromSlice([]T{v}) }

func (t *Tensor[T]) setShape(shape []int) int {
	if len(shape) > MaxDims {
		panic(fmt.Sprintf("tensor: shape %v has more than %d dimensions", slices.Clone(shape), MaxDims))
	}
	n := 1
	for i, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("tensor: negative dimension in shape %v", slices.Clone(shape)))
		}
		t.dims[i] = d
		n *= d
	}
	t.ndim = len(shape)
	return n
}

// Shape returns the tensor's dimensions. The slice aliases the tensor's own
// storage: do not modify it, and copy it if it must outlive a Resize.
func (t *Tensor[T]) Shape() []int { return t.dims[:t.ndim] }

// Dims returns the number of dimensions.
func (t *Tensor[T]) Dims() int { return t.ndim }

// Dim returns the size of dimension i; negative i counts from the end.
func (t *Tensor[T]) Dim(i int) int {
	if i < 0 {
		i += t.ndim
	}
	return t.dims[i]
}

// Len returns the number of elements.
func (t *Tensor[T]) Len() int { return len(t.data) }

// Data returns the elements in row-major order. The slice aliases the tensor.
func (t *Tensor[T]) Data() []T { return t.data }

// Item returns the single element of a one-element tensor.
func (t *Tensor[T]) Item() T {
	if len(t.data) != 1 {
		panic(fmt.Sprintf("tensor: Item on a tensor of shape %v", t.Shape()))
	}
	return t.data[0]
}

// At returns the element at the given index.
func (t *Tensor[T]) At(index ...int) T { return t.data[t.offset(index)] }

// Set stores v at the given index.
func (t *Tensor[T]) Set(v T, index ...int) { t.data[t.offset(index)] = v }

func (t *Tensor[T]) offset(index []int) int {
	if len(index) != t.ndim {
		panic(fmt.Sprintf("tensor: index %v for shape %v", slices.Clone(index), t.Shape()))
	}
	off := 0
	for i, x := range index {
		if x < 0 || x >= t.dims[i] {
			panic(fmt.Sprintf("tensor: index %v out of range for shape %v", slices.Clone(index), t.Shape()))
		}
		off = off*t.dims[i] + x
	}
	return off
}

// Resize gives t the new shape, reusing its storage when the capacity
// suffices. The contents are unspecified afterwards. It is how buffers are
// recycled without allocating.
func (t *Tensor[T]) Resize(shape ...int) {
	n := t.setShape(shape)
	if cap(t.data) >= n {
		t.data = t.data[:n]
	} else {
		t.data = make([]T, n)
	}
}

// ResizeLike gives t the shape of u (see Resize).
func (t *Tensor[T]) ResizeLike(u *Tensor[T]) { t.Resize(u.Shape()...) }

// Reshape returns a tensor sharing t's data with a new shape of the same
// size. One dimension may be -1 and is then inferred.
func (t *Tensor[T]) Reshape(shape ...int) *Tensor[T] {
	r := &Tensor[T]{data: t.data}
	r.ReshapeFrom(t, shape...)
	return r
}

// ReshapeFrom makes r a view of t's data with the given shape, without
// allocating. One dimension may be -1 and is then inferred.
func (r *Tensor[T]) ReshapeFrom(t *Tensor[T], shape ...int) {
	infer, n := -1, 1
	for i, d := range shape {
		if d == -1 {
			if infer >= 0 {
				panic("tensor: Reshape with more than one -1")
			}
			infer = i
			continue
		}
		n *= d
	}
	data := t.data
	r.setShapeNoCheck(shape)
	if infer >= 0 {
		if n == 0 || len(data)%n != 0 {
			panic(fmt.Sprintf("tensor: cannot reshape %d elements to %v", len(data), slices.Clone(shape)))
		}
		r.dims[infer] = len(data) / n
		n = len(data)
	}
	if n != len(data) {
		panic(fmt.Sprintf("tensor: cannot reshape %d elements to %v", len(data), slices.Clone(shape)))
	}
	r.data = data
}

func (t *Tensor[T]) setShapeNoCheck(shape []int) {
	if len(shape) > MaxDims {
		panic(fmt.Sprintf("tensor: shape %v has more than %d dimensions", slices.Clone(shape), MaxDims))
	}
	copy(t.dims[:], shape)
	t.ndim = len(shape)
}

// Clone returns a deep copy of t.
func (t *Tensor[T]) Clone() *Tensor[T] {
	c := New[T](t.Shape()...)
	copy(c.data, t.data)
	return c
}

// CopyFrom copies u's elements into t, resizing t to u's shape.
func (t *Tensor[T]) CopyFrom(u *Tensor[T]) {
	t.ResizeLike(u)
	copy(t.data, u.data)
}

// Fill sets every element to v.
func (t *Tensor[T]) Fill(v T) {
	if v == 0 {
		clear(t.data)
		return
	}
	for i := range t.data {
		t.data[i] = v
	}
}

// Zero sets every element to 0; a long tensor (a gradient) is cleared by
// the kernels' workers, each its block (see kernel.Zero).
func (t *Tensor[T]) Zero() { kernel.Zero(t.data) }

// SameShape reports whether a and b have identical shapes.
func SameShape[T Float](a, b *Tensor[T]) bool { return EqualShapes(a.Shape(), b.Shape()) }

// EqualShapes reports whether two shapes are identical.
func EqualShapes(a, b []int) bool { return slices.Equal(a, b) }

// Convert returns a copy of t with element type U.
func Convert[U, T Float](t *Tensor[T]) *Tensor[U] {
	u := New[U](t.Shape()...)
	for i, v := range t.data {
		u.data[i] = U(v)
	}
	return u
}

// String formats small tensors in full and large ones by shape.
func (t *Tensor[T]) String() string {
	if len(t.data) > 64 {
		return fmt.Sprintf("Tensor%v", t.Shape())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor%v%v", t.Shape(), t.data)
	return b.String()
}

// RandN fills t with samples of N(mean, std²) drawn from rng.
func (t *Tensor[T]) RandN(rng *rand.Rand, mean, std float64) {
	for i := range t.data {
		t.data[i] = T(mean + std*rng.NormFloat64())
	}
}

// RandU fills t with samples of U[lo, hi) drawn from rng.
func (t *Tensor[T]) RandU(rng *rand.Rand, lo, hi float64) {
	for i := range t.data {
		t.data[i] = T(lo + (hi-lo)*rng.Float64())
	}
}

// NewRand returns a deterministic random source for seed: the same seed
// gives the same stream on every machine.
func NewRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}
