package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"unicode/utf8"
)

const (
	metadataKey = "__metadata__"
	// maxHeader is the reference implementation's limit on the JSON header.
	maxHeader = 100_000_000
)

// ReadFile reads and validates a safetensors file.
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	return Read(f, st.Size(), filepath.Base(path))
}

// Read reads and validates a safetensors file of size bytes from r; name
// is used in errors. It checks, before allocating the data, that the header
// length fits the file, the header is well-formed JSON of the expected
// shape, every dtype is known, every tensor's shape and dtype account for
// exactly its data_offsets, and the tensors tile the data buffer without
// gaps or overlaps (as the reference implementation requires). Tensors'
// Data alias one buffer holding the file's data.
func Read(r io.ReaderAt, size int64, name string) (*File, error) {
	var n8 [8]byte
	if size < 8 {
		return nil, fmt.Errorf("safetensors: %s: %d bytes: too short for the 8-byte header length", name, size)
	}
	if k, err := r.ReadAt(n8[:], 0); k < len(n8) {
		return nil, fmt.Errorf("safetensors: %s: offset 0: reading the header length: %v", name, err)
	}
	n := binary.LittleEndian.Uint64(n8[:])
	if n > maxHeader || n > uint64(size-8) {
		return nil, fmt.Errorf("safetensors: %s: offset 0: header length %d exceeds the %d bytes after it (and the limit of %d)", name, n, size-8, maxHeader)
	}
	header := make([]byte, n)
	if k, err := r.ReadAt(header, 8); k < len(header) {
		return nil, fmt.Errorf("safetensors: %s: offset 8: reading the %d-byte header: %v", name, n, err)
	}
	bufLen := size - 8 - int64(n)
	f, err := parseHeader(header, bufLen)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: header: %v", name, err)
	}
	buf := make([]byte, bufLen)
	// A ReaderAt may return io.EOF with a complete read: only n counts.
	if k, err := r.ReadAt(buf, 8+int64(n)); k < len(buf) {
		return nil, fmt.Errorf("safetensors: %s: offset %d: reading %d bytes of tensor data: %v", name, 8+n, bufLen, err)
	}
	for i := range f.Tensors {
		t := &f.Tensors[i]
		t.Data = buf[f.offsets[i][0]:f.offsets[i][1]:f.offsets[i][1]]
	}
	return &f.File, nil
}

// parsed is a File whose tensors' data is not read yet.
type parsed struct {
	File
	offsets [][2]int64
}

// parseHeader parses and validates the JSON header against a data buffer
// of bufLen bytes.
func parseHeader(header []byte, bufLen int64) (*parsed, error) {
	if !utf8.Valid(header) {
		return nil, errors.New("not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, errors.New("does not start with '{': not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	p := &parsed{}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("malformed JSON: %v", err)
		}
		key := tok.(string) // object keys are always strings
		if seen[key] {
			return nil, fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		if key == metadataKey {
			if err := dec.Decode(&p.Metadata); err != nil || p.Metadata == nil {
				return nil, fmt.Errorf("%s: want an object of strings to strings (%v)", metadataKey, err)
			}
			continue
		}
		t, off, err := parseTensor(dec, key, bufLen)
		if err != nil {
			return nil, err
		}
		p.Tensors = append(p.Tensors, t)
		p.offsets = append(p.offsets, off)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("malformed JSON: %v", err)
	}
	if rest := bytes.TrimLeft(header[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, fmt.Errorf("offset %d: unexpected %q after the JSON object", dec.InputOffset(), rest[:min(len(rest), 16)])
	}
	return p, p.checkTiling(bufLen)
}

// parseTensor parses one tensor's entry and checks its dtype, shape and
// offsets against each other and against the buffer.
func parseTensor(dec *json.Decoder, name string, bufLen int64) (Tensor, [2]int64, error) {
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return Tensor{}, [2]int64{}, fmt.Errorf("tensor %q: want an object with dtype, shape and data_offsets (%v)", name, err)
	}
	t := Tensor{Name: name}
	var dtype string
	if err := json.Unmarshal(fields["dtype"], &dtype); err != nil {
		return t, [2]int64{}, fmt.Errorf("tensor %q: field dtype: want a string (%v)", name, err)
	}
	t.DType = DType(dtype)
	_, size, ok := t.DType.info()
	if !ok {
		return t, [2]int64{}, fmt.Errorf("tensor %q: field dtype: unknown dtype %q (want one of %s)", name, dtype, dtypeNames())
	}
	shape, err := parseInts(fields["shape"], -1)
	if err != nil {
		return t, [2]int64{}, fmt.Errorf("tensor %q: field shape: %v", name, err)
	}
	offs, err := parseInts(fields["data_offsets"], 2)
	if err != nil {
		return t, [2]int64{}, fmt.Errorf("tensor %q: field data_offsets: %v", name, err)
	}
	off := [2]int64{offs[0], offs[1]}
	if off[0] > off[1] || off[1] > bufLen {
		return t, off, fmt.Errorf("tensor %q: field data_offsets: [%d, %d] is not a range within the %d-byte data buffer", name, off[0], off[1], bufLen)
	}
	// The element count is bounded by the buffer before it is multiplied
	// further, so nothing overflows.
	count := int64(1)
	if !slices.Contains(shape, 0) {
		for _, d := range shape {
			if count > bufLen/d {
				return t, off, fmt.Errorf("tensor %q: field shape: %v holds more elements than the %d-byte data buffer", name, shape, bufLen)
			}
			count *= d
		}
	} else {
		count = 0
	}
	if count*int64(size) != off[1]-off[0] {
		return t, off, fmt.Errorf("tensor %q: fields shape and data_offsets: shape %v of %s needs %d bytes, data_offsets [%d, %d] hold %d", name, shape, dtype, count*int64(size), off[0], off[1], off[1]-off[0])
	}
	t.Shape = make([]int, len(shape))
	for i, d := range shape {
		t.Shape[i] = int(d)
	}
	return t, off, nil
}

// parseInts parses a JSON array of non-negative integers; want is its
// required length, -1 for any.
func parseInts(raw json.RawMessage, want int) ([]int64, error) {
	var nums []json.Number
	if raw == nil {
		return nil, errors.New("missing")
	}
	if err := json.Unmarshal(raw, &nums); err != nil || nums == nil {
		return nil, fmt.Errorf("want an array of non-negative integers, got %.40s", raw)
	}
	if want >= 0 && len(nums) != want {
		return nil, fmt.Errorf("want %d integers, got %d", want, len(nums))
	}
	out := make([]int64, len(nums))
	for i, s := range nums {
		v, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("element %d: %s is not a non-negative integer", i, s)
		}
		out[i] = v
	}
	return out, nil
}

// checkTiling sorts the tensors by offset and checks that they cover the
// buffer exactly: no gap, no overlap, nothing after the last tensor.
func (p *parsed) checkTiling(bufLen int64) error {
	idx := make([]int, len(p.Tensors))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if c := p.offsets[a][0] - p.offsets[b][0]; c != 0 {
			return int(max(min(c, 1), -1))
		}
		return int(max(min(p.offsets[a][1]-p.offsets[b][1], 1), -1))
	})
	end, prev := int64(0), ""
	for _, i := range idx {
		o, name := p.offsets[i], p.Tensors[i].Name
		switch {
		case o[0] < end:
			return fmt.Errorf("tensor %q: field data_offsets: [%d, %d] overlaps tensor %q, which ends at %d", name, o[0], o[1], prev, end)
		case o[0] > end:
			return fmt.Errorf("tensor %q: field data_offsets: [%d, %d] leaves bytes [%d, %d) of the data buffer to no tensor", name, o[0], o[1], end, o[0])
		}
		end, prev = o[1], name
	}
	if end != bufLen {
		return fmt.Errorf("the tensors end at byte %d of the %d-byte data buffer: the file has %d unexplained bytes at its end", end, bufLen, bufLen-end)
	}
	tensors := make([]Tensor, len(idx))
	offsets := make([][2]int64, len(idx))
	for k, i := range idx {
		tensors[k], offsets[k] = p.Tensors[i], p.offsets[i]
	}
	p.Tensors, p.offsets = tensors, offsets
	return nil
}
