package tensor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/descent-ml/descent/internal/kernel"
)

// 2-D convolution in NCHW layout, as PyTorch's F.conv2d with zero padding and
// no dilation or groups: a cross-correlation,
//
//	y[n,o,oh,ow] = b[o] + Σ_{c,i,j} w[o,c,i,j] · x[n,c, oh·s+i-p, ow·s+j-p]
//
// with x read as 0 outside the image. It is computed as im2col + GEMM: the
// patches of the whole batch become the columns of one matrix
// col [C·kh·kw, N·OH·OW], so the forward pass and both halves of the backward
// pass are each one large GEMM (the kind a packed, multi-threaded GEMM runs
// near peak), and the rest is memory-bound reshuffling split over the cores.

// convGeom is the geometry of a convolution or pooling window: input
// [n, c, h, w], o output channels (convolution only), kh×kw window, and the
// output size oh×ow.
type convGeom struct {
	n, c, h, w  int
	o, kh, kw   int
	stride, pad int
	oh, ow      int
}

func (g *convGeom) plane() int { return g.oh * g.ow }       // output pixels per image
func (g *convGeom) rows() int  { return g.c * g.kh * g.kw } // rows of col: K
func (g *convGeom) cols() int  { return g.n * g.plane() }   // columns of col: N·OH·OW

// ConvOutSize returns the output length along one axis of a convolution or
// pooling window, (in + 2·padding - kernel)/stride + 1, or an error naming
// the problem if the window does not fit or a setting is out of range.
func ConvOutSize(in, kernel, stride, padding int) (int, error) {
	switch {
	case kernel < 1:
		return 0, fmt.Errorf("tensor: kernel size %d must be at least 1", kernel)
	case stride < 1:
		return 0, fmt.Errorf("tensor: stride %d must be at least 1", stride)
	case padding < 0:
		return 0, fmt.Errorf("tensor: padding %d must not be negative", padding)
	case in+2*padding < kernel:
		return 0, fmt.Errorf("tensor: kernel %d is larger than the padded input %d (size %d, padding %d)",
			kernel, in+2*padding, in, padding)
	}
	return (in+2*padding-kernel)/stride + 1, nil
}

// Conv2dShape returns the output shape [N, O, OH, OW] of Conv2d for an input
// of shape x = [N, C, H, W] and a weight of shape w = [O, C, kh, kw], or an
// error naming what does not fit.
func Conv2dShape(x, w []int, stride, padding int) ([4]int, error) {
	g, err := conv2dGeom(x, w, stride, padding)
	return [4]int{g.n, g.o, g.oh, g.ow}, err
}

func conv2dGeom(x, w []int, stride, padding int) (convGeom, error) {
	if len(x) != 4 {
		return convGeom{}, fmt.Errorf("tensor: conv2d input must be [N, C, H, W], got %v", slices.Clone(x))
	}
	if len(w) != 4 {
		return convGeom{}, fmt.Errorf("tensor: conv2d weight must be [O, C, kh, kw], got %v", slices.Clone(w))
	}
	if x[1] != w[1] {
		return convGeom{}, fmt.Errorf("tensor: conv2d input %v has %d channels, weight %v expects %d",
			slices.Clone(x), x[1], slices.Clone(w), w[1])
	}
	g := convGeom{n: x[0], c: x[1], h: x[2], w: x[3], o: w[0], kh: w[2], kw: w[3], stride: stride, pad: padding}
	var err error
	if g.oh, err = ConvOutSize(g.h, g.kh, stride, padding); err != nil {
		return g, err
	}
	g.ow, err = ConvOutSize(g.w, g.kw, stride, padding)
	return g, err
}

// mustConv2dGeom is conv2dGeom for callers inside hot paths, where a shape
// mismatch is a programmer error.
func mustConv2dGeom(op string, x, w []int, stride, padding int) convGeom {
	g, err := conv2dGeom(x, w, stride, padding)
	if err != nil {
		panic("tensor: " + op + ": " + strings.TrimPrefix(err.Error(), "tensor: "))
	}
	return g
}

// Im2Col resizes col to [C·kh·kw, N·OH·OW] and fills it with the patches of
// x [N, C, H, W]: col[(c·kh+i)·kw+j, (n·OH+oh)·OW+ow] = x[n, c, oh·s+i-p,
// ow·s+j-p], 0 where that falls in the padding. Then W·col, for the weight
// viewed as [O, C·kh·kw], is the convolution of the whole batch.
func Im2Col[T Float](col, x *Tensor[T], kh, kw, stride, padding int) {
	g := mustConv2dGeom("Im2Col", x.Shape(), []int{1, x.Dim(1), kh, kw}, stride, padding)
	col.Resize(g.rows(), g.cols())
	runLoop(loopIm2Col, &g, g.rows()*g.n, g.rows()*g.cols(), col.data, x.data, nil)
}

// Col2Im is the adjoint of Im2Col: it adds every entry of col
// [C·kh·kw, N·OH·OW] into the element of dx [N, C, H, W] it was copied from
// (entries from the padding are dropped). It is how the gradient of the
// columns becomes the gradient of the input.
func Col2Im[T Float](dx, col *Tensor[T], kh, kw, stride, padding int) {
	g := mustConv2dGeom("Col2Im", dx.Shape(), []int{1, dx.Dim(1), kh, kw}, stride, padding)
	checkShape("Col2Im", col, []int{g.rows(), g.cols()})
	runLoop(loopCol2Im, &g, g.n*g.c, g.rows()*g.cols(), dx.data, col.data, nil)
}

// Conv2d computes dst = conv2d(x, w) + b (see the package comment in
// conv.go): x is [N, C, H, W], w is [O, C, kh, kw], b is [O] or nil, dst
// must have shape Conv2dShape(x, w). col and work are scratch, resized as
// needed (no allocation once their capacity suffices); afterwards col holds
// Im2Col(x), which Conv2dBackward needs.
func Conv2d[T Float](dst, x, w, b, col, work *Tensor[T], stride, padding int) {
	g := mustConv2dGeom("Conv2d", x.Shape(), w.Shape(), stride, padding)
	checkShape("Conv2d", dst, []int{g.n, g.o, g.oh, g.ow})
	var bias []T
	if b != nil {
		checkShape("Conv2d bias", b, []int{g.o})
		bias = b.data
	}
	Im2Col(col, x, g.kh, g.kw, stride, padding)
	k, np := g.rows(), g.cols()
	// work = W·col is [O, N·OH·OW]; the output wants [N, O, OH·OW].
	work.Resize(g.o, np)
	kernel.Gemm(false, false, g.o, np, k, 1, w.data, k, col.data, np, 0, work.data, np)
	runLoop(loopConvOut, &g, g.n*g.o, g.o*np, dst.data, work.data, bias)
}

// Conv2dBackward accumulates the gradients of Conv2d's loss into dx, dw and
// db (each may be nil when not wanted), given dy, the gradient of the output
// [N, O, OH, OW]. col must hold Im2Col(x), as Conv2d left it. work and dcol
// are scratch, resized as needed.
//
// With Y = W·col (Y, dY viewed as [O, N·OH·OW]): dW = dY·colᵀ,
// dcol = Wᵀ·dY and dx = Col2Im(dcol); db sums dY over batch and pixels.
func Conv2dBackward[T Float](dx, dw, db, dy, w, col, work, dcol *Tensor[T], stride, padding int) {
	if dy.Dims() != 4 || w.Dims() != 4 || dy.Dim(1) != w.Dim(0) {
		panic(fmt.Sprintf("tensor: Conv2dBackward: output gradient %v does not fit weight %v", dy.Shape(), w.Shape()))
	}
	g := convGeom{n: dy.Dim(0), o: w.Dim(0), c: w.Dim(1), kh: w.Dim(2), kw: w.Dim(3),
		stride: stride, pad: padding, oh: dy.Dim(2), ow: dy.Dim(3)}
	k, np := g.rows(), g.cols()
	checkShape("Conv2dBackward columns", col, []int{k, np})
	var bias []T
	if db != nil {
		checkShape("Conv2dBackward bias gradient", db, []int{g.o})
		bias = db.data
	}
	if dw == nil && dx == nil && db == nil {
		return
	}
	work.Resize(g.o, np)
	runLoop(loopConvGradOut, &g, g.o, g.o*np, work.data, dy.data, bias)
	if dw != nil {
		checkShape("Conv2dBackward weight gradient", dw, w.Shape())
		kernel.Gemm(false, true, g.o, k, np, 1, work.data, np, col.data, np, 1, dw.data, k)
	}
	if dx != nil {
		dcol.Resize(k, np)
		kernel.Gemm(true, false, k, np, g.o, 1, w.data, k, work.data, np, 0, dcol.data, np)
		Col2Im(dx, dcol, g.kh, g.kw, stride, padding)
	}
}

// validRange returns the output positions [lo, hi) along one axis whose input
// position o·stride + off falls inside [0, size).
func validRange(off, size, stride, out int) (lo, hi int) {
	if off < 0 {
		lo = (-off + stride - 1) / stride
	}
	if last := size - 1 - off; last >= 0 {
		hi = min(out, last/stride+1)
	}
	return lo, max(lo, hi)
}

// im2col fills units [lo, hi) of col; unit u is row u/N of col restricted to
// image u%N, so that each unit writes its own contiguous OH·OW block.
func im2col[T Float](g *convGeom, col, x []T, lo, hi int) {
	plane, np, hw := g.plane(), g.cols(), g.h*g.w
	for u := lo; u < hi; u++ {
		r, n := u/g.n, u%g.n
		c, i, j := r/(g.kh*g.kw), r/g.kw%g.kh, r%g.kw
		dst := col[r*np+n*plane : r*np+(n+1)*plane]
		src := x[(n*g.c+c)*hw : (n*g.c+c+1)*hw]
		owLo, owHi := validRange(j-g.pad, g.w, g.stride, g.ow)
		for oh := range g.oh {
			row := dst[oh*g.ow : (oh+1)*g.ow]
			ih := oh*g.stride + i - g.pad
			if ih < 0 || ih >= g.h {
				clear(row)
				continue
			}
			clear(row[:owLo])
			clear(row[owHi:])
			srow := src[ih*g.w : (ih+1)*g.w]
			if g.stride == 1 {
				copy(row[owLo:owHi], srow[owLo+j-g.pad:])
				continue
			}
			for ow := owLo; ow < owHi; ow++ {
				row[ow] = srow[ow*g.stride+j-g.pad]
			}
		}
	}
}

// col2im adds col into units [lo, hi) of dx; unit u is the plane
// (n, c) = (u/C, u%C), so no two units write the same element and each
// element sums its contributions in the same (i, j, oh, ow) order whatever
// the split.
func col2im[T Float](g *convGeom, dx, col []T, lo, hi int) {
	plane, np, hw := g.plane(), g.cols(), g.h*g.w
	for u := lo; u < hi; u++ {
		n, c := u/g.c, u%g.c
		dst := dx[u*hw : (u+1)*hw]
		for i := range g.kh {
			for j := range g.kw {
				r := (c*g.kh+i)*g.kw + j
				src := col[r*np+n*plane : r*np+(n+1)*plane]
				owLo, owHi := validRange(j-g.pad, g.w, g.stride, g.ow)
				ohLo, ohHi := validRange(i-g.pad, g.h, g.stride, g.oh)
				for oh := ohLo; oh < ohHi; oh++ {
					drow := dst[(oh*g.stride+i-g.pad)*g.w:]
					srow := src[oh*g.ow : (oh+1)*g.ow]
					if g.stride == 1 {
						d := drow[owLo+j-g.pad : owHi+j-g.pad]
						for k, v := range srow[owLo:owHi] {
							d[k] += v
						}
						continue
					}
					for ow := owLo; ow < owHi; ow++ {
						drow[ow*g.stride+j-g.pad] += srow[ow]
					}
				}
			}
		}
	}
}

// convOut moves units [lo, hi) of work [O, N·P] into dst [N, O, P] adding
// the bias; unit u is the block (n, o) = (u/O, u%O).
func convOut[T Float](g *convGeom, dst, work, bias []T, lo, hi int) {
	plane, np := g.plane(), g.cols()
	for u := lo; u < hi; u++ {
		n, o := u/g.o, u%g.o
		d := dst[u*plane : (u+1)*plane]
		s := work[o*np+n*plane : o*np+(n+1)*plane]
		if bias == nil {
			copy(d, s)
			continue
		}
		b := bias[o]
		for k, v := range s {
			d[k] = v + b
		}
	}
}

// convGradOut moves output channels [lo, hi) of dy [N, O, P] into
// work [O, N·P] and, if db is not nil, adds their sums into db.
func convGradOut[T Float](g *convGeom, work, dy, db []T, lo, hi int) {
	plane, np := g.plane(), g.cols()
	for o := lo; o < hi; o++ {
		var total T
		for n := range g.n {
			s := dy[(n*g.o+o)*plane : (n*g.o+o+1)*plane]
			copy(work[o*np+n*plane:], s)
			if db != nil {
				var sum T
				for _, v := range s {
					sum += v
				}
				total += sum
			}
		}
		if db != nil {
			db[o] += total
		}
	}
}
