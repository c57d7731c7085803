package safetensors

import (
	"fmt"
	"slices"
)

// EncodeInt64 returns v as an I64 tensor called name with the given shape
// (nil or empty for a scalar): how PyTorch stores integer buffers such as
// BatchNorm's num_batches_tracked. The bytes are a copy.
func EncodeInt64(name string, shape []int, v []int64) Tensor {
	out := Tensor{Name: name, DType: I64, Shape: append([]int{}, shape...), Data: make([]byte, 0, 8*len(v))}
	for _, x := range v {
		out.Data = le.AppendUint64(out.Data, uint64(x))
	}
	return out
}

// DecodeInt64 returns the elements of an integer tensor (I64, I32, I16, I8,
// U32, U16, U8 or BOOL; U64 up to 2^63 − 1) as int64s. Floating-point
// tensors are refused: the caller asked for integers.
func DecodeInt64(t *Tensor) ([]int64, error) {
	_, size, ok := t.DType.info()
	if !ok {
		return nil, fmt.Errorf("safetensors: tensor %q: unknown dtype %q (want one of %s)", t.Name, t.DType, dtypeNames())
	}
	if len(t.Data) != t.Len()*size {
		return nil, fmt.Errorf("safetensors: tensor %q: %d bytes of data, but shape %v of %s needs %d", t.Name, len(t.Data), t.Shape, t.DType, t.Len()*size)
	}
	out := make([]int64, t.Len())
	src := t.Data
	for i := range out {
		switch t.DType {
		case I64:
			out[i] = int64(le.Uint64(src[8*i:]))
		case U64:
			u := le.Uint64(src[8*i:])
			if u > 1<<63-1 {
				return nil, fmt.Errorf("safetensors: tensor %q: element %d = %d does not fit in int64", t.Name, i, u)
			}
			out[i] = int64(u)
		case I32:
			out[i] = int64(int32(le.Uint32(src[4*i:])))
		case U32:
			out[i] = int64(le.Uint32(src[4*i:]))
		case I16:
			out[i] = int64(int16(le.Uint16(src[2*i:])))
		case U16:
			out[i] = int64(le.Uint16(src[2*i:]))
		case I8:
			out[i] = int64(int8(src[i]))
		case U8, BOOL:
			out[i] = int64(src[i])
		default:
			return nil, fmt.Errorf("safetensors: tensor %q: dtype %s is not an integer type (want I64, I32, I16, I8, U64, U32, U16, U8 or BOOL)", t.Name, t.DType)
		}
	}
	return out, nil
}

// IsInteger reports whether d is an integer (or boolean) dtype.
func (d DType) IsInteger() bool {
	return slices.Contains([]DType{BOOL, U8, I8, I16, U16, I32, U32, I64, U64}, d)
}
