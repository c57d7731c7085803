package tensor

// Column layouts for convolution. The general one is im2col: row
// (c·kh+i)·kw+j of the columns of one image holds x[c, oh·s+i-p, ow·s+j-p]
// for every output pixel (oh, ow), OH·OW entries. Its rows are built from
// OH short segments each (11 floats for the CNN's second layer), which
// costs more than the GEMM's packing.
//
// For stride 1 there is a cheaper "wrapped" layout: with the image
// zero-padded to width Wp = W+2p, row (c, i, j) is simply the contiguous run
// xp[c, i·Wp + j + t] for t in [0, L), L = (OH-1)·Wp + OW: output pixel
// (oh, ow) sits at t = oh·Wp + ow, and the Wp-OW positions between two
// output rows are wrapped-around pixels whose results are thrown away. Each
// row is one copy; the GEMM does (L/(OH·OW) - 1) more work (17% for the
// CNN's second layer), and the output is compacted as it is written. In the
// backward pass the output gradient is spread out with zeros in the thrown
// away positions, which therefore contribute nothing to dW or dx.

// wrapped reports whether the wrapped layout is used. It needs stride 1,
// and it pays when the copies it saves (C·kh·kw rows of OH segments in
// im2col, built twice) outnumber the ones it adds (O rows of OH segments to
// compact the output and to spread its gradient): the CNN's second layer
// (288 rows, 64 channels) but not its first (9 rows, 32 channels). A 1×1
// kernel without padding needs no copies at all.
func (g *convGeom) wrapped() bool {
	return g.stride == 1 && (g.rows() >= g.o || g.kh == 1 && g.kw == 1 && g.pad == 0)
}

// width returns the number of columns of one image's column matrix: L for
// the wrapped layout, OH·OW for im2col.
func (g *convGeom) width() int {
	if g.wrapped() {
		return (g.oh-1)*(g.w+2*g.pad) + g.ow
	}
	return g.plane()
}

// group returns how many images share one GEMM: enough to make it about
// 512 columns wide, so that the micro-kernel's 64-wide tiles are nearly all
// full (one image of the CNN's second layer is 141 columns, 3 tiles at 73%)
// and the weight is packed once per group instead of once per image.
func (g *convGeom) group() int {
	return max(1, min(8, (512+g.width()/2)/g.width()))
}

// pitch is the distance between two output rows in the columns' layout.
func (g *convGeom) pitch() int {
	if g.wrapped() {
		return g.w + 2*g.pad
	}
	return g.ow
}

// padLen is the size of one zero-padded image, or 0 when none is needed.
func (g *convGeom) padLen() int {
	if g.wrapped() && g.pad > 0 {
		return g.c * (g.h + 2*g.pad) * (g.w + 2*g.pad)
	}
	return 0
}

// scratchLen is the scratch one worker needs for Conv2d or Conv2dBackward.
func (g *convGeom) scratchLen() int {
	return 2*g.padLen() + (g.rows()+g.o)*g.group()*g.width()
}

// convScratch is one worker's scratch: a padded image and its gradient, the
// columns of a group of images (or their gradient), and the group's output
// (or output gradient) in the columns' layout.
type convScratch[T Float] struct {
	xp, dxp, col, y []T
}

func convCarve[T Float](g *convGeom, work []T, part int) convScratch[T] {
	w := work[part*g.scratchLen() : (part+1)*g.scratchLen()]
	pl, kl := g.padLen(), g.rows()*g.group()*g.width()
	return convScratch[T]{xp: w[:pl], dxp: w[pl : 2*pl], col: w[2*pl : 2*pl+kl], y: w[2*pl+kl:]}
}

// convColumns returns the column matrix of image x [C, H, W] alone, rows
// g.width() long: x itself for a 1×1 kernel with stride 1 and no padding,
// else built in s.col.
func convColumns[T Float](g *convGeom, s *convScratch[T], x []T) []T {
	if g.wrapped() && g.kh == 1 && g.kw == 1 && g.pad == 0 {
		return x
	}
	convFillColumns(g, s, x, s.col, g.width())
	return s.col
}

// convFillColumns writes the column matrix of image x [C, H, W] into col, whose
// rows are ld apart.
func convFillColumns[T Float](g *convGeom, s *convScratch[T], x, col []T, ld int) {
	if !g.wrapped() {
		im2col(g, col, ld, x)
		return
	}
	src := x
	if g.pad > 0 {
		convPadImage(g, s.xp, x)
		src = s.xp
	}
	hp, wp, width := g.h+2*g.pad, g.w+2*g.pad, g.width()
	for r := range g.rows() {
		c, i, j := r/(g.kh*g.kw), r/g.kw%g.kh, r%g.kw
		copy(col[r*ld:r*ld+width], src[c*hp*wp+i*wp+j:])
	}
}

// convAddColumns adds dcol, the gradient of an image's columns (rows ld apart),
// into the image's gradient dx [C, H, W]: the adjoint of convFillColumns.
func convAddColumns[T Float](g *convGeom, s *convScratch[T], dcol []T, ld int, dx []T) {
	if !g.wrapped() {
		col2im(g, dx, dcol, ld)
		return
	}
	dst := dx
	if g.pad > 0 {
		clear(s.dxp)
		dst = s.dxp
	}
	hp, wp, width := g.h+2*g.pad, g.w+2*g.pad, g.width()
	for r := range g.rows() {
		c, i, j := r/(g.kh*g.kw), r/g.kw%g.kh, r%g.kw
		convAxpy(dst[c*hp*wp+i*wp+j:c*hp*wp+i*wp+j+width], dcol[r*ld:r*ld+width])
	}
	if g.pad > 0 {
		for c := range g.c {
			for h := range g.h {
				convAxpy(dx[(c*g.h+h)*g.w:(c*g.h+h+1)*g.w], s.dxp[(c*hp+h+g.pad)*wp+g.pad:])
			}
		}
	}
}

// convPadImage copies x [C, H, W] into the middle of xp [C, H+2p, W+2p] and
// zeroes the border.
func convPadImage[T Float](g *convGeom, xp, x []T) {
	hp, wp := g.h+2*g.pad, g.w+2*g.pad
	clear(xp[:g.c*hp*wp])
	for c := range g.c {
		for h := range g.h {
			copy(xp[(c*hp+h+g.pad)*wp+g.pad:], x[(c*g.h+h)*g.w:(c*g.h+h+1)*g.w])
		}
	}
}

// convUnwrapRows writes y [O, OH·OW] from an image's result in the columns'
// layout, src (rows ld apart), dropping the wrapped-around positions and
// adding bias[o] (bias may be nil).
func convUnwrapRows[T Float](g *convGeom, y, src []T, ld int, bias []T) {
	p, pitch := g.plane(), g.pitch()
	for o := range g.o {
		var b T
		if bias != nil {
			b = bias[o]
		}
		for oh := range g.oh {
			d := y[o*p+oh*g.ow : o*p+(oh+1)*g.ow]
			s := src[o*ld+oh*pitch:]
			s = s[:len(d)]
			for k, v := range s {
				d[k] = v + b
			}
		}
	}
}

// convWrapRows writes dy [O, OH·OW] into dst (rows ld apart) in the columns'
// layout, with zeros in the wrapped-around positions.
func convWrapRows[T Float](g *convGeom, dst []T, ld int, dy []T) {
	p, pitch, width := g.plane(), g.pitch(), g.width()
	for o := range g.o {
		row := dst[o*ld : o*ld+width]
		for oh := range g.oh {
			d := row[oh*pitch : oh*pitch+g.ow]
			s := dy[o*p+oh*g.ow : o*p+(oh+1)*g.ow]
			s = s[:len(d)]
			for k, v := range s {
				d[k] = v
			}
			if oh < g.oh-1 {
				gap := row[oh*pitch+g.ow : (oh+1)*pitch]
				for k := range gap {
					gap[k] = 0
				}
			}
		}
	}
}

// convValidRange returns the output positions [lo, hi) along one axis whose input
// position o·stride + off falls inside [0, size).
func convValidRange(off, size, stride, out int) (lo, hi int) {
	if off < 0 {
		lo = (-off + stride - 1) / stride
	}
	if last := size - 1 - off; last >= 0 {
		hi = min(out, last/stride+1)
	}
	return lo, max(lo, hi)
}

// im2col writes the patches of one image x [C, H, W] into col, whose rows
// (c·kh+i)·kw+j are ld apart and hold OH·OW entries each. Rows of the
// output are short (11 for the CNN's second layer), so the loops are plain
// loops rather than calls to copy and clear.
func im2col[T Float](g *convGeom, col []T, ld int, x []T) {
	plane, hw := g.plane(), g.h*g.w
	for r := range g.rows() {
		c, i, j := r/(g.kh*g.kw), r/g.kw%g.kh, r%g.kw
		dst := col[r*ld : r*ld+plane]
		src := x[c*hw : (c+1)*hw]
		off := j - g.pad
		owLo, owHi := convValidRange(off, g.w, g.stride, g.ow)
		for oh := range g.oh {
			row := dst[oh*g.ow : (oh+1)*g.ow]
			ih := oh*g.stride + i - g.pad
			if ih < 0 || ih >= g.h {
				for k := range row {
					row[k] = 0
				}
				continue
			}
			srow := src[ih*g.w : (ih+1)*g.w]
			for k := range row[:owLo] {
				row[k] = 0
			}
			if g.stride == 1 {
				s := srow[owLo+off : owHi+off]
				d := row[owLo:owHi]
				d = d[:len(s)]
				for k, v := range s {
					d[k] = v
				}
			} else {
				for ow := owLo; ow < owHi; ow++ {
					row[ow] = srow[ow*g.stride+off]
				}
			}
			for k := owHi; k < len(row); k++ {
				row[k] = 0
			}
		}
	}
}

// col2im adds the columns of one image (laid out as im2col writes them) into
// dx [C, H, W]. Each element sums its contributions in the same (c, i, j,
// oh, ow) order every time.
func col2im[T Float](g *convGeom, dx, col []T, ld int) {
	plane, hw := g.plane(), g.h*g.w
	for r := range g.rows() {
		c, i, j := r/(g.kh*g.kw), r/g.kw%g.kh, r%g.kw
		dst := dx[c*hw : (c+1)*hw]
		src := col[r*ld : r*ld+plane]
		off := j - g.pad
		owLo, owHi := convValidRange(off, g.w, g.stride, g.ow)
		ohLo, ohHi := convValidRange(i-g.pad, g.h, g.stride, g.oh)
		for oh := ohLo; oh < ohHi; oh++ {
			drow := dst[(oh*g.stride+i-g.pad)*g.w : (oh*g.stride+i-g.pad+1)*g.w]
			srow := src[oh*g.ow : (oh+1)*g.ow]
			if g.stride == 1 {
				s := srow[owLo:owHi]
				d := drow[owLo+off : owHi+off]
				d = d[:len(s)]
				for k, v := range s {
					d[k] += v
				}
				continue
			}
			for ow := owLo; ow < owHi; ow++ {
				drow[ow*g.stride+off] += srow[ow]
			}
		}
	}
}

// convSum returns the sum of x with four interleaved partial sums, which breaks
// the chain of dependent additions; the order is fixed, so the result is
// deterministic.
func convSum[T Float](x []T) T {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}
