package tensor

import (
	"fmt"
	"slices"
)

// BinaryOp names an element-wise binary operation.
type BinaryOp uint8

// The element-wise binary operations.
const (
	OpAdd BinaryOp = iota
	OpSub
	OpMul
	OpDiv
	OpMax // element-wise maximum
	OpMin // element-wise minimum
)

var binaryNames = [...]string{"add", "sub", "mul", "div", "max", "min"}

func (op BinaryOp) String() string { return binaryNames[op] }

// BroadcastShape writes into out the NumPy broadcast of shapes a and b and
// returns the number of dimensions. Dimensions are aligned from the right;
// each pair must be equal or contain a 1.
func BroadcastShape(out *[MaxDims]int, a, b []int) (int, error) {
	n := max(len(a), len(b))
	if n > MaxDims {
		return 0, fmt.Errorf("tensor: broadcast of %v and %v has more than %d dimensions", slices.Clone(a), slices.Clone(b), MaxDims)
	}
	for i := range n {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db, db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return 0, fmt.Errorf("tensor: shapes %v and %v do not broadcast", slices.Clone(a), slices.Clone(b))
		}
	}
	return n, nil
}

// broadcastStrides returns the strides of a tensor of shape s when viewed
// with the n-dimensional shape out: 0 along broadcast dimensions.
func broadcastStrides(s []int, out []int) (st [MaxDims]int) {
	n := len(out)
	stride := 1
	for i := n - 1; i >= 0; i-- {
		j := len(s) - n + i
		if j < 0 || s[j] == 1 {
			st[i] = 0
		} else {
			st[i] = stride
		}
		if j >= 0 {
			stride *= s[j]
		}
	}
	return st
}

// Binary computes dst = a op b element-wise with NumPy broadcasting. dst must
// already have the broadcast shape; it may alias a or b when their shape
// equals it.
func Binary[T Float](op BinaryOp, dst, a, b *Tensor[T]) {
	if SameShape(a, b) {
		checkShape("Binary", dst, a.Shape())
		binaryRow(op, dst.data, a.data, b.data, 1, 1)
		return
	}
	var out [MaxDims]int
	n, err := BroadcastShape(&out, a.Shape(), b.Shape())
	if err != nil {
		panic(err.Error())
	}
	checkShape("Binary", dst, out[:n])
	if len(dst.data) == 0 {
		return
	}
	if n == 0 {
		binaryRow(op, dst.data, a.data, b.data, 1, 1)
		return
	}
	sa := broadcastStrides(a.Shape(), out[:n])
	sb := broadcastStrides(b.Shape(), out[:n])
	inner := out[n-1]
	forEachRow(out[:n], &sa, &sb, func(o, oa, ob int) {
		binaryRow(op, dst.data[o:o+inner], a.data[oa:], b.data[ob:], sa[n-1], sb[n-1])
	})
}

// forEachRow calls f for every row (all indices but the last) of shape, with
// the row's offset in a contiguous tensor of that shape and its offsets in two
// tensors with strides sa and sb.
func forEachRow(shape []int, sa, sb *[MaxDims]int, f func(o, oa, ob int)) {
	n := len(shape)
	inner := shape[n-1]
	rows := 1
	for _, d := range shape[:n-1] {
		rows *= d
	}
	var idx [MaxDims]int
	oa, ob := 0, 0
	for r := range rows {
		f(r*inner, oa, ob)
		for d := n - 2; d >= 0; d-- {
			idx[d]++
			oa += sa[d]
			ob += sb[d]
			if idx[d] < shape[d] {
				break
			}
			oa -= sa[d] * shape[d]
			ob -= sb[d] * shape[d]
			idx[d] = 0
		}
	}
}

// binaryRow applies op along one row. sx and sy are 1 for a vector operand
// and 0 for a scalar one (x[0] or y[0] repeated).
func binaryRow[T Float](op BinaryOp, dst, x, y []T, sx, sy int) {
	switch {
	case sx == 1 && sy == 1:
		x, y = x[:len(dst)], y[:len(dst)]
		switch op {
		case OpAdd:
			for i := range dst {
				dst[i] = x[i] + y[i]
			}
		case OpSub:
			for i := range dst {
				dst[i] = x[i] - y[i]
			}
		case OpMul:
			for i := range dst {
				dst[i] = x[i] * y[i]
			}
		case OpDiv:
			for i := range dst {
				dst[i] = x[i] / y[i]
			}
		case OpMax:
			for i := range dst {
				dst[i] = maxNaN(x[i], y[i])
			}
		case OpMin:
			for i := range dst {
				dst[i] = minNaN(x[i], y[i])
			}
		}
	case sx == 1:
		x = x[:len(dst)]
		yv := y[0]
		switch op {
		case OpAdd:
			for i := range dst {
				dst[i] = x[i] + yv
			}
		case OpSub:
			for i := range dst {
				dst[i] = x[i] - yv
			}
		case OpMul:
			for i := range dst {
				dst[i] = x[i] * yv
			}
		case OpDiv:
			for i := range dst {
				dst[i] = x[i] / yv
			}
		case OpMax:
			for i := range dst {
				dst[i] = maxNaN(x[i], yv)
			}
		case OpMin:
			for i := range dst {
				dst[i] = minNaN(x[i], yv)
			}
		}
	case sy == 1:
		y = y[:len(dst)]
		xv := x[0]
		switch op {
		case OpAdd:
			for i := range dst {
				dst[i] = xv + y[i]
			}
		case OpSub:
			for i := range dst {
				dst[i] = xv - y[i]
			}
		case OpMul:
			for i := range dst {
				dst[i] = xv * y[i]
			}
		case OpDiv:
			for i := range dst {
				dst[i] = xv / y[i]
			}
		case OpMax:
			for i := range dst {
				dst[i] = maxNaN(xv, y[i])
			}
		case OpMin:
			for i := range dst {
				dst[i] = minNaN(xv, y[i])
			}
		}
	default:
		var v T
		switch op {
		case OpAdd:
			v = x[0] + y[0]
		case OpSub:
			v = x[0] - y[0]
		case OpMul:
			v = x[0] * y[0]
		case OpDiv:
			v = x[0] / y[0]
		case OpMax:
			v = maxNaN(x[0], y[0])
		case OpMin:
			v = minNaN(x[0], y[0])
		}
		for i := range dst {
			dst[i] = v
		}
	}
}

// maxNaN and minNaN propagate NaN like torch.maximum and torch.minimum.
func maxNaN[T Float](a, b T) T {
	if a != a || a > b {
		return a
	}
	return b
}

func minNaN[T Float](a, b T) T {
	if a != a || a < b {
		return a
	}
	return b
}

// SumTo reduces src to dst's shape by summing over the dimensions along which
// dst broadcasts to src: the adjoint of broadcasting, used by backward passes.
// With accumulate, the sums are added to dst instead of replacing it.
func SumTo[T Float](dst, src *Tensor[T], accumulate bool) {
	if !accumulate {
		clear(dst.data)
	}
	if SameShape(dst, src) {
		d := dst.data
		for i, v := range src.data[:len(d)] {
			d[i] += v
		}
		return
	}
	var out [MaxDims]int
	n, err := BroadcastShape(&out, dst.Shape(), src.Shape())
	if err != nil || !EqualShapes(out[:n], src.Shape()) {
		panic(fmt.Sprintf("tensor: SumTo: %v does not broadcast to %v", dst.Shape(), src.Shape()))
	}
	if len(src.data) == 0 {
		return
	}
	if n == 0 {
		dst.data[0] += src.data[0]
		return
	}
	sd := broadcastStrides(dst.Shape(), out[:n])
	var zero [MaxDims]int
	inner := out[n-1]
	forEachRow(out[:n], &sd, &zero, func(o, od, _ int) {
		row := src.data[o : o+inner]
		if sd[n-1] == 1 {
			d := dst.data[od : od+inner]
			for i, v := range row {
				d[i] += v
			}
			return
		}
		var s T
		for _, v := range row {
			s += v
		}
		dst.data[od] += s
	})
}

func checkShape[T Float](op string, dst *Tensor[T], want []int) {
	if !EqualShapes(dst.Shape(), want) {
		panic(fmt.Sprintf("tensor: %s: destination has shape %v, want %v", op, dst.Shape(), slices.Clone(want)))
	}
}
