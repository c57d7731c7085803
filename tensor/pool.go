package tensor

import (
	"fmt"
	"math"
	"slices"
)

// Max and average pooling over k×k windows of NCHW tensors, as PyTorch's
// F.max_pool2d and F.avg_pool2d (ceil_mode=False; for average pooling
// count_include_pad=True, the default). Each (n, c) plane is pooled on its
// own, so the planes are what the work is split by.

// Pool2dShape returns the output shape [N, C, OH, OW] of pooling an input of
// shape x = [N, C, H, W] with a kernel×kernel window, or an error naming the
// problem. As in PyTorch, padding may be at most half the kernel, so that
// every window overlaps the input.
func Pool2dShape(x []int, kernel, stride, padding int) ([4]int, error) {
	g, err := pool2dGeom(x, kernel, stride, padding)
	return [4]int{g.n, g.c, g.oh, g.ow}, err
}

func pool2dGeom(x []int, kernel, stride, padding int) (convGeom, error) {
	if len(x) != 4 {
		return convGeom{}, fmt.Errorf("tensor: pooling input must be [N, C, H, W], got %v", slices.Clone(x))
	}
	if padding > kernel/2 {
		return convGeom{}, fmt.Errorf("tensor: pooling padding %d must be at most half the kernel size %d", padding, kernel)
	}
	g := convGeom{n: x[0], c: x[1], h: x[2], w: x[3], kh: kernel, kw: kernel, stride: stride, pad: padding}
	var err error
	if g.oh, err = ConvOutSize(g.h, kernel, stride, padding); err != nil {
		return g, err
	}
	g.ow, err = ConvOutSize(g.w, kernel, stride, padding)
	return g, err
}

func mustPool2dGeom(op string, x []int, kernel, stride, padding int) convGeom {
	g, err := pool2dGeom(x, kernel, stride, padding)
	if err != nil {
		panic(fmt.Sprintf("tensor: %s: %v", op, err))
	}
	return g
}

// MaxPool2d sets dst [N, C, OH, OW] to the maximum of each window of
// x [N, C, H, W]; padding counts as -∞. If argmax is not nil it is resized to
// dst's shape and receives, for each output, the position of the maximum
// inside its window (i·kernel + j; small integers, exact in any float type),
// which is what MaxPool2dBackward needs. Ties go to the first maximum and a
// NaN wins, as in PyTorch.
func MaxPool2d[T Float](dst, x, argmax *Tensor[T], kernel, stride, padding int) {
	g := mustPool2dGeom("MaxPool2d", x.Shape(), kernel, stride, padding)
	checkShape("MaxPool2d", dst, []int{g.n, g.c, g.oh, g.ow})
	var idx []T
	if argmax != nil {
		argmax.Resize(g.n, g.c, g.oh, g.ow)
		idx = argmax.data
	}
	runLoop(loopMaxPool, &g, g.n*g.c, len(x.data), &loopArgs[T]{a: dst.data, b: x.data, c: idx})
}

// MaxPool2dBackward adds each element of dy [N, C, OH, OW] into the element
// of dx [N, C, H, W] that was its window's maximum, as recorded in argmax by
// MaxPool2d.
func MaxPool2dBackward[T Float](dx, dy, argmax *Tensor[T], kernel, stride, padding int) {
	g := mustPool2dGeom("MaxPool2dBackward", dx.Shape(), kernel, stride, padding)
	checkShape("MaxPool2dBackward output gradient", dy, []int{g.n, g.c, g.oh, g.ow})
	checkShape("MaxPool2dBackward argmax", argmax, []int{g.n, g.c, g.oh, g.ow})
	runLoop(loopMaxPoolGrad, &g, g.n*g.c, len(dx.data), &loopArgs[T]{a: dx.data, b: dy.data, c: argmax.data})
}

// AvgPool2d sets dst [N, C, OH, OW] to the mean of each window of
// x [N, C, H, W], padding counted as zeros in the divisor
// (count_include_pad=True).
func AvgPool2d[T Float](dst, x *Tensor[T], kernel, stride, padding int) {
	g := mustPool2dGeom("AvgPool2d", x.Shape(), kernel, stride, padding)
	checkShape("AvgPool2d", dst, []int{g.n, g.c, g.oh, g.ow})
	runLoop(loopAvgPool, &g, g.n*g.c, len(x.data), &loopArgs[T]{a: dst.data, b: x.data})
}

// AvgPool2dBackward adds dy [N, C, OH, OW] / window size into every element
// of dx [N, C, H, W] inside the window.
func AvgPool2dBackward[T Float](dx, dy *Tensor[T], kernel, stride, padding int) {
	g := mustPool2dGeom("AvgPool2dBackward", dx.Shape(), kernel, stride, padding)
	checkShape("AvgPool2dBackward output gradient", dy, []int{g.n, g.c, g.oh, g.ow})
	runLoop(loopAvgPoolGrad, &g, g.n*g.c, len(dx.data), &loopArgs[T]{a: dx.data, b: dy.data})
}

// poolWindow returns the rows or columns [lo, hi) of the input that the window
// starting at start covers, and the window's extent in the padded input
// (PyTorch's divisor for count_include_pad).
func poolWindow(start, kernel, size, pad int) (lo, hi, padded int) {
	end := min(start+kernel, size+pad)
	padded = end - start
	return max(start, 0), min(end, size), padded
}

// maxPool pools planes [lo, hi).
func maxPool[T Float](g *convGeom, dst, x, idx []T, lo, hi int) {
	hw, plane := g.h*g.w, g.plane()
	for u := lo; u < hi; u++ {
		src, out := x[u*hw:(u+1)*hw], dst[u*plane:(u+1)*plane]
		if g.kh == 2 && g.stride == 2 && g.pad == 0 && idx != nil {
			maxPool2x2(g, out, src, idx[u*plane:(u+1)*plane])
			continue
		}
		for oh := range g.oh {
			hs := oh*g.stride - g.pad
			h0, h1, _ := poolWindow(hs, g.kh, g.h, g.pad)
			for ow := range g.ow {
				ws := ow*g.stride - g.pad
				w0, w1, _ := poolWindow(ws, g.kw, g.w, g.pad)
				best, at := T(math.Inf(-1)), (h0-hs)*g.kw+w0-ws
				for ih := h0; ih < h1; ih++ {
					for iw, v := range src[ih*g.w+w0 : ih*g.w+w1] {
						if v > best || v != v {
							best, at = v, (ih-hs)*g.kw+iw+w0-ws
						}
					}
				}
				out[oh*g.ow+ow] = best
				if idx != nil {
					idx[u*plane+oh*g.ow+ow] = T(at)
				}
			}
		}
	}
}

// maxPool2x2 is maxPool for the common 2×2 window with stride 2 and no
// padding, where every window lies inside the image. Which of the four
// elements is the maximum is data-dependent and unpredictable, so the loop
// avoids branches: a tournament of strict comparisons (left wins ties, so
// the first maximum wins, as in PyTorch) computed as integers picks the
// position, and the value is loaded from it. A window with a NaN (caught
// by its sum) takes PyTorch's sequential rule, in which a NaN wins.
func maxPool2x2[T Float](g *convGeom, out, src, idx []T) {
	for oh := range g.oh {
		r0, r1 := src[2*oh*g.w:(2*oh+1)*g.w], src[(2*oh+1)*g.w:(2*oh+2)*g.w]
		o, ix := out[oh*g.ow:(oh+1)*g.ow], idx[oh*g.ow:(oh+1)*g.ow]
		r0, r1, ix = r0[:2*len(o)], r1[:2*len(o)], ix[:len(o)]
		for ow := range o {
			a, b, c, d := r0[2*ow], r0[2*ow+1], r1[2*ow], r1[2*ow+1]
			i0 := convB2i(b > a)
			i1 := convB2i(d > c)
			top := convB2i(r1[2*ow+i1] > r0[2*ow+i0])
			at := i0 + top*(2+i1-i0)
			m := src[(2*oh+top)*g.w+2*ow+at&1]
			if s := a + b + c + d; s != s {
				m, at = a, 0
				for k, v := range [3]T{b, c, d} {
					if v > m || v != v {
						m, at = v, k+1
					}
				}
			}
			o[ow], ix[ow] = m, T(at)
		}
	}
}

// convB2i is 1 for true and 0 for false; the compiler makes it a flag move, not
// a branch.
func convB2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// maxPoolGrad routes the gradient of planes [lo, hi) to the argmax.
func maxPoolGrad[T Float](g *convGeom, dx, dy, idx []T, lo, hi int) {
	hw, plane := g.h*g.w, g.plane()
	fast := g.kh == 2 && g.stride == 2 && g.pad == 0
	for u := lo; u < hi; u++ {
		d := dx[u*hw : (u+1)*hw]
		for oh := range g.oh {
			k0 := u*plane + oh*g.ow
			gy, ix := dy[k0:k0+g.ow], idx[k0:k0+g.ow]
			ix = ix[:len(gy)]
			if fast { // at = 2i + j: no division
				for ow, v := range gy {
					at := int(ix[ow])
					d[(2*oh+at>>1)*g.w+2*ow+at&1] += v
				}
				continue
			}
			for ow, v := range gy {
				at := int(ix[ow])
				ih, iw := oh*g.stride-g.pad+at/g.kw, ow*g.stride-g.pad+at%g.kw
				d[ih*g.w+iw] += v
			}
		}
	}
}

// avgPool pools planes [lo, hi).
func avgPool[T Float](g *convGeom, dst, x []T, lo, hi int) {
	hw, plane := g.h*g.w, g.plane()
	for u := lo; u < hi; u++ {
		src, out := x[u*hw:(u+1)*hw], dst[u*plane:(u+1)*plane]
		for oh := range g.oh {
			h0, h1, ph := poolWindow(oh*g.stride-g.pad, g.kh, g.h, g.pad)
			for ow := range g.ow {
				w0, w1, pw := poolWindow(ow*g.stride-g.pad, g.kw, g.w, g.pad)
				var sum T
				for ih := h0; ih < h1; ih++ {
					for _, v := range src[ih*g.w+w0 : ih*g.w+w1] {
						sum += v
					}
				}
				out[oh*g.ow+ow] = sum / T(ph*pw)
			}
		}
	}
}

// avgPoolGrad spreads the gradient of planes [lo, hi) evenly over the
// windows.
func avgPoolGrad[T Float](g *convGeom, dx, dy []T, lo, hi int) {
	hw, plane := g.h*g.w, g.plane()
	for u := lo; u < hi; u++ {
		d := dx[u*hw : (u+1)*hw]
		for oh := range g.oh {
			h0, h1, ph := poolWindow(oh*g.stride-g.pad, g.kh, g.h, g.pad)
			for ow := range g.ow {
				w0, w1, pw := poolWindow(ow*g.stride-g.pad, g.kw, g.w, g.pad)
				v := dy[u*plane+oh*g.ow+ow] / T(ph*pw)
				for ih := h0; ih < h1; ih++ {
					row := d[ih*g.w+w0 : ih*g.w+w1]
					for k := range row {
						row[k] += v
					}
				}
			}
		}
	}
}
