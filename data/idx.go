package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// IDX is a decoded IDX file of unsigned bytes (type code 0x08), the format
// of LeCun's MNIST distribution: a 4-byte magic number (two zero bytes, the
// type code and the number of dimensions), one big-endian uint32 per
// dimension, then the elements in row-major order.
type IDX struct {
	Dims []int  // e.g. [60000 28 28] for images, [60000] for labels
	Data []byte // product(Dims) bytes, row-major
}

// Limits on what an IDX header may declare. They are far above any real data
// set and only exist so that a hostile header is rejected before anything
// is allocated.
const (
	maxIDXDims = 6
	// maxInflateRatio bounds how many bytes one compressed byte can become:
	// a DEFLATE stream expands at most 1032:1 (258-byte matches coded in
	// about 2 bits), so a gzip file of n bytes cannot hold more than 1032n.
	maxInflateRatio = 1032
	// firstChunk is how much is allocated before the data has arrived; the
	// buffer then doubles as bytes are actually read, so a file that claims
	// more than it holds costs at most twice what it holds.
	firstChunk = 1 << 20
	// maxIDXBytes (1 TiB) bounds the declared data when the size is unknown.
	maxIDXBytes = 1 << 40
)

// ReadIDXFile reads an IDX file of unsigned bytes, raw or gzip-compressed
// (detected by the gzip magic bytes, whatever the file is called).
func ReadIDXFile(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return ReadIDX(f, st.Size(), filepath.Base(path))
}

// ReadIDX decodes an IDX file of unsigned bytes from r, raw or gzip
// (detected by the magic bytes 1f 8b). size is the number of bytes r holds,
// or -1 if unknown; name is used in errors. Declared dimensions are checked
// against size before anything is allocated: a raw file must hold exactly
// the declared bytes, and a gzip file cannot expand more than DEFLATE
// allows. Beyond a small multiple of the file's size, memory grows only as
// data arrives. Offsets in errors count bytes of the decompressed stream.
func ReadIDX(r io.Reader, size int64, name string) (*IDX, error) {
	dims, data, err := decodeIDX(r, size, name, func(dst []byte, src []byte) { copy(dst, src) })
	if err != nil {
		return nil, err
	}
	return &IDX{Dims: dims, Data: data}, nil
}

// decodeIDX reads an IDX file of unsigned bytes and converts its elements
// with conv as they stream in, so that images become float32 without an
// intermediate byte copy of the whole file.
func decodeIDX[E byte | float32](r io.Reader, size int64, name string, conv func(dst []E, src []byte)) ([]int, []E, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(2)
	payload := size // the most data bytes the file can hold
	var src io.Reader = br
	gz := len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
	if gz {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("data: %s: not a valid gzip file: %v", name, err)
		}
		defer zr.Close()
		src = zr
		if size >= 0 {
			payload = size * maxInflateRatio
		}
	}
	dims, hdr, err := readIDXHeader(src, name)
	if err != nil {
		return nil, nil, err
	}
	n := int64(1)
	if !slices.Contains(dims, 0) {
		for _, d := range dims {
			if n > maxIDXBytes/int64(d) { // checked before multiplying, so no overflow
				return nil, nil, fmt.Errorf("data: %s: offset 4: dimensions %v declare more than %d bytes of data", name, dims, int64(maxIDXBytes))
			}
			n *= int64(d)
		}
	} else {
		n = 0
	}
	first := int64(firstChunk)
	if payload >= 0 {
		payload -= int64(hdr)
		if !gz && n != payload {
			return nil, nil, fmt.Errorf("data: %s: offset %d: dimensions %v declare %d bytes of data but the file holds %d", name, hdr, dims, n, max(payload, 0))
		}
		if gz && n > payload {
			return nil, nil, fmt.Errorf("data: %s: offset %d: dimensions %v declare %d bytes of data, more than a %d-byte gzip file can hold", name, hdr, dims, n, size)
		}
		// The file's size vouches for this much: all of a raw file, and
		// more than the usual compression ratio of a gzip one.
		first = max(first, size*16)
	}
	out, err := readConverted(src, n, first, conv)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %s: offset %d: truncated data: dimensions %v declare %d bytes, got %d (%v)", name, int64(hdr)+int64(len(out)), dims, n, len(out), err)
	}
	var one [1]byte
	if k, _ := io.ReadFull(src, one[:]); k != 0 {
		return nil, nil, fmt.Errorf("data: %s: offset %d: unexpected bytes after the %d declared by dimensions %v", name, int64(hdr)+n, n, dims)
	}
	return dims, out, nil
}

// readIDXHeader reads the magic number and the dimensions and returns them
// with the header's length in bytes.
func readIDXHeader(r io.Reader, name string) ([]int, int, error) {
	var m [4]byte
	if _, err := io.ReadFull(r, m[:]); err != nil {
		return nil, 0, fmt.Errorf("data: %s: offset 0: truncated header: want a 4-byte magic number (%v)", name, err)
	}
	if m[0] != 0 || m[1] != 0 {
		return nil, 0, fmt.Errorf("data: %s: offset 0: bad magic number %02x%02x%02x%02x: an IDX file starts with two zero bytes", name, m[0], m[1], m[2], m[3])
	}
	if m[2] != 0x08 {
		return nil, 0, fmt.Errorf("data: %s: offset 2: type code 0x%02x (%s) is not supported: want 0x08 (unsigned byte)", name, m[2], idxTypeName(m[2]))
	}
	nd := int(m[3])
	if nd < 1 || nd > maxIDXDims {
		return nil, 0, fmt.Errorf("data: %s: offset 3: %d dimensions: want 1 to %d", name, nd, maxIDXDims)
	}
	var raw [4 * maxIDXDims]byte
	if _, err := io.ReadFull(r, raw[:4*nd]); err != nil {
		return nil, 0, fmt.Errorf("data: %s: offset 4: truncated header: want %d dimension sizes (%v)", name, nd, err)
	}
	dims := make([]int, nd)
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(raw[4*i:]))
	}
	return dims, 4 + 4*nd, nil
}

// readConverted reads exactly n bytes in chunks and converts them into a
// buffer that starts at first elements and doubles as bytes arrive, rather
// than trusting n up front. On error it returns what it read.
func readConverted[E byte | float32](r io.Reader, n, first int64, conv func(dst []E, src []byte)) ([]E, error) {
	out := make([]E, 0, min(n, first))
	chunk := make([]byte, min(n, 64<<10))
	for int64(len(out)) < n {
		want := int(min(n-int64(len(out)), int64(len(chunk))))
		k, err := io.ReadAtLeast(r, chunk[:want], want)
		if len(out)+k > cap(out) {
			bigger := make([]E, len(out), min(n, 2*int64(cap(out))+int64(k)))
			copy(bigger, out)
			out = bigger
		}
		conv(out[len(out):len(out)+k], chunk[:k])
		out = out[:len(out)+k]
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				err = io.EOF
			}
			return out, err
		}
	}
	return out, nil
}

// idxTypeName names the IDX type codes so that an error says what a file is.
func idxTypeName(code byte) string {
	switch code {
	case 0x08:
		return "unsigned byte"
	case 0x09:
		return "signed byte"
	case 0x0b:
		return "int16"
	case 0x0c:
		return "int32"
	case 0x0d:
		return "float32"
	case 0x0e:
		return "float64"
	}
	return "unknown"
}
