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
// with x read as 0 outside the image. It is computed as im2col + GEMM over
// small groups of images: the patches of x[n] become the columns of a matrix
// col[n] (C·kh·kw rows), and y[n] = W·col[n] for the weight viewed as
// [O, C·kh·kw]. A group's columns sit side by side so that one GEMM about
// 512 columns wide serves the group (see convGeom.group); they fit in a
// core's cache, so they are never written to memory, and the output is
// written once, in NCHW order. Groups are split over the cores; the GEMMs
// run on the packed kernels of internal/kernel. The column layouts are in
// im2col.go, the parallel loops in convloop.go.

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
func (g *convGeom) cols() int  { return g.n * g.plane() }   // columns of the batch's col

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
// viewed as [O, C·kh·kw], is the convolution of the whole batch. (Conv2d
// itself works image by image, on columns that stay in cache.)
func Im2Col[T Float](col, x *Tensor[T], kh, kw, stride, padding int) {
	g := mustConv2dGeom("Im2Col", x.Shape(), []int{1, x.Dim(1), kh, kw}, stride, padding)
	col.Resize(g.rows(), g.cols())
	chw := g.c * g.h * g.w
	for n := range g.n {
		im2col(&g, col.data[n*g.plane():], g.cols(), x.data[n*chw:(n+1)*chw])
	}
}

// Col2Im is the adjoint of Im2Col: it adds every entry of col
// [C·kh·kw, N·OH·OW] into the element of dx [N, C, H, W] it was copied from
// (entries from the padding are dropped). It is how the gradient of the
// columns becomes the gradient of the input.
func Col2Im[T Float](dx, col *Tensor[T], kh, kw, stride, padding int) {
	g := mustConv2dGeom("Col2Im", dx.Shape(), []int{1, dx.Dim(1), kh, kw}, stride, padding)
	checkShape("Col2Im", col, []int{g.rows(), g.cols()})
	chw := g.c * g.h * g.w
	for n := range g.n {
		col2im(&g, dx.data[n*chw:(n+1)*chw], col.data[n*g.plane():], g.cols())
	}
}

// Conv2d computes dst = conv2d(x, w) + b (see the comment at the top of
// conv.go): x is [N, C, H, W], w is [O, C, kh, kw], b is [O] or nil, and dst
// must have shape Conv2dShape(x, w). work is scratch, resized as needed (no
// allocation once its capacity suffices).
func Conv2d[T Float](dst, x, w, b, work *Tensor[T], stride, padding int) {
	g := mustConv2dGeom("Conv2d", x.Shape(), w.Shape(), stride, padding)
	checkShape("Conv2d", dst, []int{g.n, g.o, g.oh, g.ow})
	var bias []T
	if b != nil {
		checkShape("Conv2d bias", b, []int{g.o})
		bias = b.data
	}
	parts := loopParts()
	work.Resize(parts * g.scratchLen())
	j := loopArgs[T]{a: dst.data, b: x.data, c: w.data, d: bias, e: work.data, parts: parts}
	groups := (g.n + g.group() - 1) / g.group()
	runLoop(loopConvForward, &g, groups, g.n*g.o*g.rows()*g.plane(), &j)
}

// convChunks is the number of batch chunks whose weight and bias gradients
// Conv2dBackward computes separately and then adds in order. It is fixed, not
// the number of cores, so that the sum, and the result, do not depend on how
// many goroutines ran.
const convChunks = 16

// Conv2dBackward accumulates the gradients of Conv2d's loss into dx, dw and
// db (each may be nil when not wanted), given dy, the gradient of the output
// [N, O, OH, OW], and the forward pass's input x and weight w. work is
// scratch, resized as needed.
//
// With y[n] = W·col[n] per image: dW = Σ_n dy[n]·col[n]ᵀ,
// dcol[n] = Wᵀ·dy[n] and dx[n] = col2im(dcol[n]); db sums dy over batch and
// pixels. The columns are rebuilt from x rather than kept, which costs less
// than writing them to memory and reading them back.
func Conv2dBackward[T Float](dx, dw, db, dy, x, w, work *Tensor[T], stride, padding int) {
	g := mustConv2dGeom("Conv2dBackward", x.Shape(), w.Shape(), stride, padding)
	checkShape("Conv2dBackward output gradient", dy, []int{g.n, g.o, g.oh, g.ow})
	j := loopArgs[T]{b: dy.data, c: w.data, d: x.data}
	if dx != nil {
		checkShape("Conv2dBackward input gradient", dx, x.Shape())
		j.a = dx.data
	}
	if dw != nil {
		checkShape("Conv2dBackward weight gradient", dw, w.Shape())
		j.wantW = true
	}
	if db != nil {
		checkShape("Conv2dBackward bias gradient", db, []int{g.o})
		j.wantB = true
	}
	if dx == nil && dw == nil && db == nil || g.n == 0 {
		return
	}
	// One chunk's partial sums: dW, transposed, and db. dWᵀ = Σ col·dyᵀ has
	// the output channels as its columns, which suits the GEMM's 64-wide
	// micro-tiles better than C·kh·kw (9 for the CNN's first layer, 288 =
	// 4.5 tiles for its second).
	chunks, partial := min(convChunks, g.n), g.o*g.rows()+g.o
	j.parts = loopParts()
	work.Resize(j.parts*g.scratchLen() + chunks*partial)
	j.e = work.data
	runLoop(loopConvBackward, &g, chunks, g.n*g.o*g.rows()*g.plane(), &j)
	// Add the chunks' partial sums, in chunk order, split over the output
	// channels.
	r := loopArgs[T]{b: work.data[j.parts*g.scratchLen():]}
	if dw != nil {
		r.a = dw.data
	}
	if db != nil {
		r.c = db.data
	}
	runLoop(loopConvReduce, &g, g.o, chunks*partial, &r)
}

// convReduce adds the chunks' partial sums for output channels [lo, hi)
// into the gradients: j.a = dw or nil, j.b = the partial sums (dWᵀ then db
// per chunk), j.c = db or nil. Each element sums the chunks in order.
func convReduce[T Float](g *convGeom, j *loopArgs[T], lo, hi int) {
	k := g.rows()
	chunks, partial := min(convChunks, g.n), g.o*k+g.o
	for o := lo; o < hi; o++ {
		if j.a != nil {
			row := j.a[o*k : (o+1)*k]
			for r := range row {
				s := j.b[r*g.o+o]
				for ch := 1; ch < chunks; ch++ {
					s += j.b[ch*partial+r*g.o+o]
				}
				row[r] += s
			}
		}
		if j.c != nil {
			s := j.b[g.o*k+o]
			for ch := 1; ch < chunks; ch++ {
				s += j.b[ch*partial+g.o*k+o]
			}
			j.c[o] += s
		}
	}
}

// convForward computes the image groups [lo, hi) of Conv2d with the
// scratch of the given part: j.a = dst, j.b = x, j.c = w, j.d = bias or nil,
// j.e = work. A group's images share one GEMM, their columns side by side.
func convForward[T Float](g *convGeom, j *loopArgs[T], lo, hi, part int) {
	k, p, chw, width := g.rows(), g.plane(), g.c*g.h*g.w, g.width()
	s := convCarve(g, j.e, part)
	for grp := lo; grp < hi; grp++ {
		n0, n1 := grp*g.group(), min((grp+1)*g.group(), g.n)
		if n1-n0 == 1 && width == p { // the GEMM can write the output itself
			y := j.a[n0*g.o*p : (n0+1)*g.o*p]
			col := convColumns(g, &s, j.b[n0*chw:(n0+1)*chw])
			kernel.Gemm(false, false, g.o, p, k, 1, j.c, k, col, p, 0, y, p)
			convAddBias(y, j.d, p)
			continue
		}
		ld := (n1 - n0) * width
		for n := n0; n < n1; n++ {
			convFillColumns(g, &s, j.b[n*chw:(n+1)*chw], s.col[(n-n0)*width:], ld)
		}
		kernel.Gemm(false, false, g.o, ld, k, 1, j.c, k, s.col, ld, 0, s.y, ld)
		for n := n0; n < n1; n++ {
			convUnwrapRows(g, j.a[n*g.o*p:(n+1)*g.o*p], s.y[(n-n0)*width:], ld, j.d)
		}
	}
}

// convBackward computes the gradients for the batch chunks [lo, hi) with
// the scratch of the given part: j.a = dx or nil, j.b = dy, j.c = w,
// j.d = x, j.e = work. dx is accumulated image by image (each image belongs
// to one chunk); each chunk's dW and db go to its own partial sums, after
// the per-part scratch in j.e. Within a chunk, images go through the GEMMs
// in groups, as in the forward pass.
func convBackward[T Float](g *convGeom, j *loopArgs[T], lo, hi, part int) {
	k, p, chw, width := g.rows(), g.plane(), g.c*g.h*g.w, g.width()
	s := convCarve(g, j.e, part)
	chunks, partial := min(convChunks, g.n), g.o*k+g.o
	sums := j.e[j.parts*g.scratchLen():]
	for ch := lo; ch < hi; ch++ {
		pw := sums[ch*partial : ch*partial+g.o*k]
		pb := sums[ch*partial+g.o*k : (ch+1)*partial]
		clear(pb)
		c0, c1 := ch*g.n/chunks, (ch+1)*g.n/chunks
		for n0 := c0; n0 < c1; n0 += g.group() {
			n1 := min(n0+g.group(), c1)
			ld := (n1 - n0) * width
			dyw := j.b[n0*g.o*p : (n0+1)*g.o*p] // dy in the columns' layout
			if n1-n0 > 1 || width != p {
				for n := n0; n < n1; n++ {
					convWrapRows(g, s.y[(n-n0)*width:], ld, j.b[n*g.o*p:(n+1)*g.o*p])
				}
				dyw = s.y
			}
			if j.wantW {
				var beta T
				if n0 > c0 {
					beta = 1
				}
				col := s.col
				if n1-n0 == 1 {
					col = convColumns(g, &s, j.d[n0*chw:(n0+1)*chw])
				} else {
					for n := n0; n < n1; n++ {
						convFillColumns(g, &s, j.d[n*chw:(n+1)*chw], s.col[(n-n0)*width:], ld)
					}
				}
				kernel.Gemm(false, true, k, g.o, ld, 1, col, ld, dyw, ld, beta, pw, g.o) // dWᵀ = col·dyᵀ
			}
			if j.a != nil { // dcol = Wᵀ·dy, in s.col now that the columns are used
				kernel.Gemm(true, false, k, ld, g.o, 1, j.c, k, dyw, ld, 0, s.col, ld)
				for n := n0; n < n1; n++ {
					convAddColumns(g, &s, s.col[(n-n0)*width:], ld, j.a[n*chw:(n+1)*chw])
				}
			}
			if j.wantB {
				for n := n0; n < n1; n++ {
					dy := j.b[n*g.o*p : (n+1)*g.o*p]
					for o := range pb {
						pb[o] += convSum(dy[o*p : (o+1)*p])
					}
				}
			}
		}
	}
}

// convAddBias adds bias[o] to row o (of length p) of y; bias may be nil.
func convAddBias[T Float](y, bias []T, p int) {
	for o, b := range bias {
		row := y[o*p : (o+1)*p]
		for i := range row {
			row[i] += b
		}
	}
}

// convAxpy adds src into dst, element by element (len(dst) elements), with
// the vectorized kernel.
func convAxpy[T Float](dst, src []T) {
	kernel.Add(dst, dst, src[:len(dst)])
}
