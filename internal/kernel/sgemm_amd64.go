//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

//go:generate sh -c "go run ./asmgen gemm > sgemm_amd64.s"
//go:generate sh -c "go run ./asmgen vector > vector_amd64.s"
//go:generate sh -c "go run ./asmgen pack > pack_amd64.s"

// The micro-kernels of sgemm_amd64.s (see asmgen for what they compute).
//
//go:noescape
func sgemmKernelAVX512x14x32(kc int, a, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func sgemmKernelAVX512x8x48(kc int, a, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func sgemmKernelAVX512x6x64(kc int, a, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func sgemmKernelAVX2x6x16(kc int, a, b, c *float32, ldc int, alpha, beta float32)

// The first 1-5 rows of sgemmKernelAVX2x6x16's tile, from its 6-row A
// panels (the edge kernels of avx2x6x16).
//
//go:noescape
func sgemmKernelAVX2x6x16Rows1(kc int, a, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func sgemmKernelAVX2x6x16Rows2(kc int, a, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func sgemmKernelAVX2x6x16Rows3(kc int, a, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func sgemmKernelAVX2x6x16Rows4(kc int, a, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func sgemmKernelAVX2x6x16Rows5(kc int, a, b, c *float32, ldc int, alpha, beta float32)

type asmKernel func(kc int, a, b, c *float32, ldc int, alpha, beta float32)

// wrap turns an assembly kernel into an sgemmKernel.run, checking the
// slices so that the assembly cannot touch memory outside them.
func wrap(f asmKernel, mr, nr int) sgemmRun {
	return wrapRows(f, mr, mr, nr)
}

// wrapRows is wrap for a kernel that computes the first h rows of an
// mr×nr tile (an edge kernel).
func wrapRows(f asmKernel, h, mr, nr int) sgemmRun {
	return func(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
		_, _, _ = a[kc*mr-1], b[kc*nr-1], c[(h-1)*ldc+nr-1]
		f(kc, &a[0], &b[0], &c[0], ldc, alpha, beta)
	}
}

var (
	avx512x14x32 = &sgemmKernel{name: "avx512 14x32", mr: 14, nr: 32, mc: 14 * 20, kc: 256, nc: 4096,
		run: wrap(sgemmKernelAVX512x14x32, 14, 32)}
	avx512x8x48 = &sgemmKernel{name: "avx512 8x48", mr: 8, nr: 48, mc: 8 * 36, kc: 256, nc: 48 * 85,
		run: wrap(sgemmKernelAVX512x8x48, 8, 48)}
	avx512x6x64 = &sgemmKernel{name: "avx512 6x64", mr: 6, nr: 64, mc: 6 * 64, kc: 128, nc: 4096,
		run: wrap(sgemmKernelAVX512x6x64, 6, 64)}
	avx2x6x16 = &sgemmKernel{name: "avx2 6x16", mr: 6, nr: 16, mc: 6 * 24, kc: 256, nc: 4096,
		run: wrap(sgemmKernelAVX2x6x16, 6, 16),
		rows: []sgemmRun{nil,
			wrapRows(sgemmKernelAVX2x6x16Rows1, 1, 6, 16), wrapRows(sgemmKernelAVX2x6x16Rows2, 2, 6, 16),
			wrapRows(sgemmKernelAVX2x6x16Rows3, 3, 6, 16), wrapRows(sgemmKernelAVX2x6x16Rows4, 4, 6, 16),
			wrapRows(sgemmKernelAVX2x6x16Rows5, 5, 6, 16)}}
)

// asmSgemmKernels returns the assembly kernels this CPU and OS support, best
// first. x/sys/cpu reports AVX-512 and AVX2 only when the OS saves their
// registers.
func asmSgemmKernels() []*sgemmKernel {
	var ks []*sgemmKernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, avx512x6x64, avx512x8x48, avx512x14x32)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, avx2x6x16)
	}
	return ks
}

// transpose16AVX512 stores the transposes of blocks 16×16 blocks, moving
// 16 floats right in src and 16 rows down in dst (pack_amd64.s, generated
// by asmgen pack).
//
//go:noescape
func transpose16AVX512(dst *float32, ldd int, src *float32, lds int, blocks int)

// transpose16 is transpose16AVX512 behind slice checks, or nil without
// AVX-512.
var transpose16 = func() func(dst []float32, ldd int, src []float32, lds int, blocks int) {
	if !cpu.X86.HasAVX512F {
		return nil
	}
	return func(dst []float32, ldd int, src []float32, lds int, blocks int) {
		if blocks <= 0 {
			return
		}
		_, _ = dst[(16*blocks-1)*ldd+15], src[15*lds+16*blocks-1]
		transpose16AVX512(&dst[0], ldd, &src[0], lds, blocks)
	}
}()

// pack6AVX512 packs 6 rows × 16*blocks columns of a k-contiguous matrix
// into an A panel of the 6-row kernels: dst[p*6+i] = src[i*lds+p].
//
//go:noescape
func pack6AVX512(dst *float32, src *float32, lds int, blocks int)

// pack6AVX2 is pack6AVX512 for AVX2, 8*blocks columns.
//
//go:noescape
func pack6AVX2(dst *float32, src *float32, lds int, blocks int)

// pack6 is pack6AVX512 (pack6Cols = 16) or pack6AVX2 (8) behind slice
// checks, packing blocks of pack6Cols columns, or nil without AVX2.
var pack6, pack6Cols = func() (func(dst, src []float32, lds, blocks int), int) {
	switch {
	case cpu.X86.HasAVX512F:
		return func(dst, src []float32, lds, blocks int) {
			if blocks <= 0 {
				return
			}
			_, _ = dst[96*blocks-1], src[5*lds+16*blocks-1]
			pack6AVX512(&dst[0], &src[0], lds, blocks)
		}, 16
	case cpu.X86.HasAVX2:
		return func(dst, src []float32, lds, blocks int) {
			if blocks <= 0 {
				return
			}
			_, _ = dst[48*blocks-1], src[5*lds+8*blocks-1]
			pack6AVX2(&dst[0], &src[0], lds, blocks)
		}, 8
	}
	return nil, 16
}()

// copyRowsAVX512 copies kc rows of r ≤ 16 floats, row p from src[p*ld:] to
// dst[p*r:].
//
//go:noescape
func copyRowsAVX512(dst, src *float32, ld, kc, r int)

// copyShortRows is copyRowsAVX512 behind slice checks, or nil without
// AVX-512 (BMI2's SHLX builds its mask; every AVX-512 CPU has BMI2).
var copyShortRows = func() func(dst, src []float32, ld, kc, r int) {
	if !cpu.X86.HasAVX512F || !cpu.X86.HasBMI2 {
		return nil
	}
	return func(dst, src []float32, ld, kc, r int) {
		if kc <= 0 {
			return
		}
		if r < 1 || r > 16 {
			panic("kernel: copyShortRows: row length out of range")
		}
		_, _ = dst[kc*r-1], src[(kc-1)*ld+r-1]
		copyRowsAVX512(&dst[0], &src[0], ld, kc, r)
	}
}()

// packRows6AVX2 and packRows16AVX2 are packRows for r = 6 and 16 (with a
// prefetch of the rows eight ahead).
//
//go:noescape
func packRows6AVX2(dst, src *float32, ld, kc, panels int)

//go:noescape
func packRows16AVX2(dst, src *float32, ld, kc, panels int)

// packRowsAVX2 is packRows6AVX2 or packRows16AVX2 behind slice checks, or
// nil without AVX2.
var packRowsAVX2 = func() func(dst, src []float32, ld, kc, panels, r int) {
	if !cpu.X86.HasAVX2 {
		return nil
	}
	return func(dst, src []float32, ld, kc, panels, r int) {
		if kc <= 0 || panels <= 0 {
			return
		}
		_, _ = dst[panels*kc*r-1], src[(kc-1)*ld+panels*r-1]
		if r == 6 {
			packRows6AVX2(&dst[0], &src[0], ld, kc, panels)
		} else {
			packRows16AVX2(&dst[0], &src[0], ld, kc, panels)
		}
	}
}()
