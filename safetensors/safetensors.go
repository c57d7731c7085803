// Package safetensors reads and writes the safetensors format
// (https://github.com/huggingface/safetensors), the weight file format that
// PyTorch users exchange: an 8-byte little-endian header length N, N bytes
// of JSON header
//
//	{"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}
//
// padded with spaces to a multiple of 8 bytes, then the tensors' bytes,
// little-endian and row-major, at the offsets the header gives relative to
// the end of the header.
//
// Files are untrusted input: Read checks every field of the header against
// the file's size before allocating anything, and its errors name the file,
// the tensor and the field. Write produces the bytes the reference
// implementation does: tensors sorted by decreasing dtype alignment then
// name, keys in its order, the same padding.
package safetensors

import (
	"fmt"

	"github.com/descent-ml/descent/tensor"
)

// DType is an element type as the header spells it ("F32", "BF16", ...).
type DType string

// The element types of the format. Read accepts all of them; Decode converts
// the floating-point and integer ones to float32 or float64.
const (
	BOOL   DType = "BOOL"
	U8     DType = "U8"
	I8     DType = "I8"
	F8E5M2 DType = "F8_E5M2"
	F8E4M3 DType = "F8_E4M3"
	I16    DType = "I16"
	U16    DType = "U16"
	F16    DType = "F16"
	BF16   DType = "BF16"
	I32    DType = "I32"
	U32    DType = "U32"
	F32    DType = "F32"
	F64    DType = "F64"
	I64    DType = "I64"
	U64    DType = "U64"
)

// dtypes lists the element types in the order of the reference
// implementation's Dtype enum, which its writer sorts by: the index is the
// rank, and tensors of higher rank come first in a file.
var dtypes = []struct {
	name DType
	size int
}{
	{BOOL, 1}, {U8, 1}, {I8, 1}, {F8E5M2, 1}, {F8E4M3, 1}, {I16, 2}, {U16, 2},
	{F16, 2}, {BF16, 2}, {I32, 4}, {U32, 4}, {F32, 4}, {F64, 8}, {I64, 8}, {U64, 8},
}

// info returns the rank and the size in bytes of d, and false if d is not a
// dtype of the format.
func (d DType) info() (rank, size int, ok bool) {
	for i, t := range dtypes {
		if t.name == d {
			return i, t.size, true
		}
	}
	return 0, 0, false
}

// Size returns the size of one element in bytes, 0 for an unknown dtype.
func (d DType) Size() int {
	_, size, _ := d.info()
	return size
}

// dtypeNames lists the valid dtypes for error messages.
func dtypeNames() string {
	s := ""
	for i, t := range dtypes {
		if i > 0 {
			s += ", "
		}
		s += string(t.name)
	}
	return s
}

// Tensor is one named tensor of a file: its raw little-endian bytes and
// what they mean.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []byte // product(Shape) * DType.Size() bytes
}

// Len returns the number of elements.
func (t *Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// File is the content of a safetensors file.
type File struct {
	// Tensors in the order of their data in the file.
	Tensors []Tensor
	// Metadata is the header's "__metadata__" map, nil if absent.
	Metadata map[string]string
}

// Tensor returns the tensor called name.
func (f *File) Tensor(name string) (*Tensor, bool) {
	for i := range f.Tensors {
		if f.Tensors[i].Name == name {
			return &f.Tensors[i], true
		}
	}
	return nil, false
}

// Names returns the tensors' names in file order.
func (f *File) Names() []string {
	names := make([]string, len(f.Tensors))
	for i, t := range f.Tensors {
		names[i] = t.Name
	}
	return names
}

// Encode returns t as a Tensor called name: F32 for float32, F64 for
// float64. The bytes are a copy.
func Encode[T tensor.Float](name string, t *tensor.Tensor[T]) Tensor {
	var zero T
	out := Tensor{Name: name, Shape: append([]int{}, t.Shape()...)}
	switch any(zero).(type) {
	case float32:
		out.DType = F32
		out.Data = appendFloat32s(make([]byte, 0, 4*t.Len()), t.Data())
	default:
		out.DType = F64
		out.Data = appendFloat64s(make([]byte, 0, 8*t.Len()), t.Data())
	}
	return out
}

// Decode converts t to a tensor of T. Floating-point and integer dtypes
// convert as PyTorch's .to(dtype) does (round to nearest); F8 types are not
// supported.
func Decode[T tensor.Float](t *Tensor) (*tensor.Tensor[T], error) {
	if len(t.Shape) > tensor.MaxDims {
		return nil, fmt.Errorf("safetensors: tensor %q: shape %v has more than %d dimensions", t.Name, t.Shape, tensor.MaxDims)
	}
	_, size, ok := t.DType.info()
	if !ok {
		return nil, fmt.Errorf("safetensors: tensor %q: unknown dtype %q (want one of %s)", t.Name, t.DType, dtypeNames())
	}
	if len(t.Data) != t.Len()*size {
		return nil, fmt.Errorf("safetensors: tensor %q: %d bytes of data, but shape %v of %s needs %d", t.Name, len(t.Data), t.Shape, t.DType, t.Len()*size)
	}
	out := tensor.New[T](t.Shape...)
	if err := convert(out.Data(), t.DType, t.Data); err != nil {
		return nil, fmt.Errorf("safetensors: tensor %q: %v", t.Name, err)
	}
	return out, nil
}

// DecodeInto converts t into dst, which must have t's shape: how weights
// load into an existing model. The error names the tensor and both shapes.
func DecodeInto[T tensor.Float](dst *tensor.Tensor[T], t *Tensor) error {
	if !tensor.EqualShapes(dst.Shape(), t.Shape) {
		return fmt.Errorf("safetensors: tensor %q has shape %v, want %v", t.Name, t.Shape, dst.Shape())
	}
	if _, size, ok := t.DType.info(); !ok || len(t.Data) != t.Len()*size {
		_, err := Decode[T](t) // for its error message
		return err
	}
	if err := convert(dst.Data(), t.DType, t.Data); err != nil {
		return fmt.Errorf("safetensors: tensor %q: %v", t.Name, err)
	}
	return nil
}
