package tensor

import "fmt"

// Reductions come in two kinds: over all elements (Sum, Mean, Max), returning
// a value, and over one axis (SumAxis, MeanAxis, MaxAxis), writing into dst.
// An axis reduction sees its source as [outer, n, inner], where n is the size
// of the reduced axis: dst is then [outer, inner] laid out contiguously,
// whether the axis is kept as a 1 (keepDim) or dropped, so both shapes are
// accepted for dst.

// Sum returns the sum of all elements, accumulated in float64 so that long
// float32 sums do not lose their low digits.
func Sum[T Float](src *Tensor[T]) T {
	var s float64
	for _, v := range src.data {
		s += float64(v)
	}
	return T(s)
}

// Mean returns the mean of all elements (NaN for an empty tensor).
func Mean[T Float](src *Tensor[T]) T {
	var s float64
	for _, v := range src.data {
		s += float64(v)
	}
	return T(s / float64(len(src.data)))
}

// Max returns the largest element and its flat index: the first one on ties;
// a NaN wins, as in torch.max. It panics on an empty tensor.
func Max[T Float](src *Tensor[T]) (T, int) {
	if len(src.data) == 0 {
		panic("tensor: Max of an empty tensor")
	}
	j := argmax(src.data, 1)
	return src.data[j], j
}

// argmax returns the index k of the first maximum of x[0], x[s], x[2s], ...
// (len(x) = (n-1)*s+1): the first NaN if there is one, as torch.argmax.
func argmax[T Float](x []T, s int) int {
	best, m := 0, x[0]
	if m != m {
		return 0
	}
	for k, i := 1, s; i < len(x); k, i = k+1, i+s {
		v := x[i]
		if v > m {
			best, m = k, v
		} else if v != v {
			return k
		}
	}
	return best
}

// ReduceShape writes into out the shape of a reduction of shape over axis
// (negative counts from the end): the axis becomes 1 with keepDim and is
// dropped otherwise. It returns the number of dimensions.
func ReduceShape(out *[MaxDims]int, shape []int, axis int, keepDim bool) (int, error) {
	ax, err := normAxis(len(shape), axis)
	if err != nil {
		return 0, err
	}
	n := 0
	for i, d := range shape {
		switch {
		case i != ax:
			out[n] = d
		case keepDim:
			out[n] = 1
		default:
			continue
		}
		n++
	}
	return n, nil
}

func normAxis(ndim, axis int) (int, error) {
	if axis < -ndim || axis >= ndim {
		return 0, fmt.Errorf("tensor: axis %d out of range for %d dimensions (valid: %d..%d)", axis, ndim, -ndim, ndim-1)
	}
	if axis < 0 {
		axis += ndim
	}
	return axis, nil
}

// AxisSplit returns the sizes [outer, n, inner] of shape seen around axis
// (negative counts from the end): the products of the dimensions before it,
// its size, and the product of those after it. It panics if axis is out of
// range.
func AxisSplit(shape []int, axis int) (outer, n, inner int) {
	ax, err := normAxis(len(shape), axis)
	if err != nil {
		panic(err.Error())
	}
	outer, inner = 1, 1
	for _, d := range shape[:ax] {
		outer *= d
	}
	for _, d := range shape[ax+1:] {
		inner *= d
	}
	return outer, shape[ax], inner
}

// checkReduced panics unless dst has the reduced shape of src over axis,
// with or without the kept dimension.
func checkReduced[T Float](op string, dst, src *Tensor[T], axis int) (outer, n, inner int) {
	outer, n, inner = AxisSplit(src.Shape(), axis)
	var want [MaxDims]int
	nd, _ := ReduceShape(&want, src.Shape(), axis, dst.ndim == src.ndim)
	checkShape(op, dst, want[:nd])
	return outer, n, inner
}

// SumAxis computes dst = the sum of src over axis. dst has src's shape with
// the axis dropped or set to 1.
func SumAxis[T Float](dst, src *Tensor[T], axis int) {
	outer, n, inner := checkReduced("SumAxis", dst, src, axis)
	sumAxis(dst.data, src.data, outer, n, inner)
}

func sumAxis[T Float](d, s []T, outer, n, inner int) {
	if inner == 1 { // reduce contiguous rows
		for o := range d {
			var acc float64
			for _, v := range s[o*n : (o+1)*n] {
				acc += float64(v)
			}
			d[o] = T(acc)
		}
		return
	}
	// Otherwise add whole rows of length inner: contiguous, vectorizable.
	for o := range outer {
		dr := d[o*inner : (o+1)*inner]
		clear(dr)
		for k := range n {
			sr := s[(o*n+k)*inner : (o*n+k+1)*inner]
			for i, v := range sr {
				dr[i] += v
			}
		}
	}
}

// MeanAxis computes dst = the mean of src over axis (see SumAxis).
func MeanAxis[T Float](dst, src *Tensor[T], axis int) {
	outer, n, inner := checkReduced("MeanAxis", dst, src, axis)
	sumAxis(dst.data, src.data, outer, n, inner)
	inv := 1 / T(n)
	for i := range dst.data {
		dst.data[i] *= inv
	}
}

// MaxAxis computes dst = the maximum of src over axis (see SumAxis) and, if
// indices is not nil, the position along the axis where each maximum was
// found (the first on ties; a NaN wins, as in torch.max(x, dim)). indices
// must then have dst's length. It panics if the axis is empty.
func MaxAxis[T Float](dst, src *Tensor[T], axis int, indices []int) {
	outer, n, inner := checkReduced("MaxAxis", dst, src, axis)
	if n == 0 && len(dst.data) > 0 {
		panic("tensor: MaxAxis over an empty axis")
	}
	if indices != nil && len(indices) != len(dst.data) {
		panic(fmt.Sprintf("tensor: MaxAxis: indices has length %d, want %d", len(indices), len(dst.data)))
	}
	for o := range outer {
		for i := range inner {
			base := o*n*inner + i
			k := argmax(src.data[base:base+(n-1)*inner+1], inner)
			dst.data[o*inner+i] = src.data[base+k*inner]
			if indices != nil {
				indices[o*inner+i] = k
			}
		}
	}
}

// ArgMaxRows writes into dst the index of the largest element of each row
// of the 2-D tensor x (the first on ties; a NaN wins): the predicted class
// of each row of logits. dst must have one entry per row.
func ArgMaxRows[T Float](x *Tensor[T], dst []int) {
	if x.ndim != 2 || len(dst) != x.dims[0] {
		panic(fmt.Sprintf("tensor: ArgMaxRows: want a 2-D tensor and one index per row, got %v and %d indices", x.Shape(), len(dst)))
	}
	c := x.dims[1]
	if c == 0 && len(dst) > 0 {
		panic("tensor: ArgMaxRows over rows of length 0")
	}
	for r := range dst {
		dst[r] = argmax(x.data[r*c:(r+1)*c], 1)
	}
}
