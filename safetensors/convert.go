package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/descent-ml/descent/tensor"
)

var le = binary.LittleEndian

func appendFloat32s[T tensor.Float](b []byte, xs []T) []byte {
	for _, x := range xs {
		b = le.AppendUint32(b, math.Float32bits(float32(x)))
	}
	return b
}

func appendFloat64s[T tensor.Float](b []byte, xs []T) []byte {
	for _, x := range xs {
		b = le.AppendUint64(b, math.Float64bits(float64(x)))
	}
	return b
}

// convert decodes the elements of src (of dtype d, len(dst) of them) into
// dst. Every dtype converts exactly to float64 except the 64-bit integers
// beyond 2^53; conversions to float32 round once, to nearest.
func convert[T tensor.Float](dst []T, d DType, src []byte) error {
	switch d {
	case F32:
		for i := range dst {
			dst[i] = T(math.Float32frombits(le.Uint32(src[4*i:])))
		}
	case F64:
		for i := range dst {
			dst[i] = T(math.Float64frombits(le.Uint64(src[8*i:])))
		}
	case F16:
		for i := range dst {
			dst[i] = T(halfToFloat32(le.Uint16(src[2*i:])))
		}
	case BF16:
		for i := range dst {
			dst[i] = T(math.Float32frombits(uint32(le.Uint16(src[2*i:])) << 16))
		}
	case I64:
		for i := range dst {
			dst[i] = T(int64(le.Uint64(src[8*i:])))
		}
	case U64:
		for i := range dst {
			dst[i] = T(le.Uint64(src[8*i:]))
		}
	case I32:
		for i := range dst {
			dst[i] = T(int32(le.Uint32(src[4*i:])))
		}
	case U32:
		for i := range dst {
			dst[i] = T(le.Uint32(src[4*i:]))
		}
	case I16:
		for i := range dst {
			dst[i] = T(int16(le.Uint16(src[2*i:])))
		}
	case U16:
		for i := range dst {
			dst[i] = T(le.Uint16(src[2*i:]))
		}
	case I8:
		for i := range dst {
			dst[i] = T(int8(src[i]))
		}
	case U8, BOOL:
		for i := range dst {
			dst[i] = T(src[i])
		}
	default:
		return fmt.Errorf("converting %s to floating point is not supported (supported: F64, F32, F16, BF16 and the integer types)", d)
	}
	return nil
}

// halfToFloat32 converts an IEEE 754 binary16 value to float32, exactly
// (every half is a float32): subnormals, infinities and NaN payloads
// included.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp != 0: // normal: rebias 15 -> 127
		return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
	case frac == 0:
		return math.Float32frombits(sign)
	}
	// Subnormal half: frac * 2^-24, a normal float32.
	v := float32(frac) * (1.0 / (1 << 24))
	if sign != 0 {
		v = -v
	}
	return v
}
