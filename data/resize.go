package data

import (
	"image"
	"image/color"
	"math"
)

// convertImage resizes img to h×w and writes its channels planar (CHW) as
// bytes: 3 for RGB (straight colour, alpha dropped, as PIL's
// convert("RGB")) or 1 for grayscale (PIL's convert("L"): ITU-R 601 luma,
// L = (19595 R + 38470 G + 7471 B + 2^15) >> 16). Resizing is PIL's
// Image.resize with BILINEAR, the torchvision default: a triangle filter
// widened by the scale when shrinking (antialiasing), horizontal pass then
// vertical, each in PIL's 22-bit fixed point rounded to bytes, so the
// bytes are PIL's.
func convertImage(dst []byte, img image.Image, h, w, channels int) {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	src := make([]byte, sw*sh*3)
	for y := range sh {
		for x := range sw {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			src[(y*sw+x)*3], src[(y*sw+x)*3+1], src[(y*sw+x)*3+2] = c.R, c.G, c.B
		}
	}
	if sw != w {
		src = resample(src, sw, sh, w, true)
	}
	if sh != h {
		src = resample(src, w, sh, h, false)
	}
	for i := range h * w {
		r, g, bl := int(src[3*i]), int(src[3*i+1]), int(src[3*i+2])
		if channels == 1 {
			dst[i] = byte((r*19595 + g*38470 + bl*7471 + 0x8000) >> 16)
			continue
		}
		dst[i], dst[h*w+i], dst[2*h*w+i] = byte(r), byte(g), byte(bl)
	}
}

// precision is PIL's fixed-point precision for 8-bit resampling.
const precision = 32 - 8 - 2

// resample resizes an RGB image of sw×sh along one axis (x if horizontal)
// to n pixels, as PIL's ImagingResampleHorizontal/Vertical_8bpc with the
// bilinear filter.
func resample(src []byte, sw, sh, n int, horizontal bool) []byte {
	in := sh
	if horizontal {
		in = sw
	}
	bounds, weights, ksize := coefficients(in, n)
	var out []byte
	if horizontal {
		out = make([]byte, sh*n*3)
	} else {
		out = make([]byte, n*sw*3)
	}
	for o := range n {
		lo, k := bounds[2*o], weights[o*ksize:o*ksize+bounds[2*o+1]]
		if horizontal {
			for y := range sh {
				for c := range 3 {
					ss := 1 << (precision - 1)
					for i, wt := range k {
						ss += int(src[(y*sw+lo+i)*3+c]) * wt
					}
					out[(y*n+o)*3+c] = clip8(ss)
				}
			}
			continue
		}
		for x := range sw {
			for c := range 3 {
				ss := 1 << (precision - 1)
				for i, wt := range k {
					ss += int(src[((lo+i)*sw+x)*3+c]) * wt
				}
				out[(o*sw+x)*3+c] = clip8(ss)
			}
		}
	}
	return out
}

// coefficients are PIL's precompute_coeffs for the bilinear (triangle)
// filter, normalized and converted to fixed point: for each output pixel,
// the first input pixel and the count (bounds), and the weights.
func coefficients(in, out int) (bounds, weights []int, ksize int) {
	scale := float64(in) / float64(out)
	filterscale := math.Max(scale, 1)
	support := filterscale // the triangle's support is 1
	ksize = int(math.Ceil(support))*2 + 1
	bounds, weights = make([]int, 2*out), make([]int, out*ksize)
	k := make([]float64, ksize)
	for o := range out {
		center := (float64(o) + 0.5) * scale
		xmin := max(int(center-support+0.5), 0)
		xmax := min(int(center+support+0.5), in) - xmin
		var ww float64
		for x := range xmax {
			t := math.Abs((float64(x+xmin) - center + 0.5) / filterscale)
			k[x] = max(0, 1-t)
			ww += k[x]
		}
		for x := range xmax {
			v := k[x]
			if ww != 0 {
				v /= ww
			}
			if v < 0 {
				weights[o*ksize+x] = int(-0.5 + v*(1<<precision))
			} else {
				weights[o*ksize+x] = int(0.5 + v*(1<<precision))
			}
		}
		bounds[2*o], bounds[2*o+1] = xmin, xmax
	}
	return bounds, weights, ksize
}

// clip8 turns a fixed-point sum into a byte, clamped to [0, 255].
func clip8(v int) byte {
	v >>= precision
	return byte(min(255, max(0, v)))
}
