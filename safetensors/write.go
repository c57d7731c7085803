package safetensors

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Write writes tensors and metadata (nil for none) in the safetensors
// format. Like the reference implementation it orders the tensors by
// decreasing dtype alignment (F64 before F32 before F16), then by name, so
// that every tensor's data is aligned to its element size; metadata keys
// are sorted. The same input always gives the same bytes.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	order, err := writeOrder(tensors)
	if err != nil {
		return err
	}
	header := encodeHeader(tensors, order, metadata)
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	if _, err := w.Write(n[:]); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if _, err := w.Write(header); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	for _, i := range order {
		if _, err := w.Write(tensors[i].Data); err != nil {
			return fmt.Errorf("safetensors: %w", err)
		}
	}
	return nil
}

// writeOrder validates tensors and returns the order the reference
// implementation writes them in.
func writeOrder(tensors []Tensor) ([]int, error) {
	order := make([]int, len(tensors))
	seen := make(map[string]bool, len(tensors))
	for i, t := range tensors {
		order[i] = i
		_, size, ok := t.DType.info()
		switch {
		case t.Name == metadataKey || !utf8.ValidString(t.Name):
			return nil, fmt.Errorf("safetensors: tensor name %q is reserved or not valid UTF-8", t.Name)
		case seen[t.Name]:
			return nil, fmt.Errorf("safetensors: two tensors are called %q", t.Name)
		case !ok:
			return nil, fmt.Errorf("safetensors: tensor %q: unknown dtype %q (want one of %s)", t.Name, t.DType, dtypeNames())
		case slices.ContainsFunc(t.Shape, func(d int) bool { return d < 0 }):
			return nil, fmt.Errorf("safetensors: tensor %q: negative dimension in shape %v", t.Name, t.Shape)
		case len(t.Data) != t.Len()*size:
			return nil, fmt.Errorf("safetensors: tensor %q: %d bytes of data, but shape %v of %s needs %d", t.Name, len(t.Data), t.Shape, t.DType, t.Len()*size)
		}
		seen[t.Name] = true
	}
	slices.SortFunc(order, func(a, b int) int {
		ra, _, _ := tensors[a].DType.info()
		rb, _, _ := tensors[b].DType.info()
		if ra != rb {
			return rb - ra
		}
		return strings.Compare(tensors[a].Name, tensors[b].Name)
	})
	return order, nil
}

// encodeHeader writes the JSON header as serde_json does (no spaces,
// "__metadata__" first, tensors in data order, fields dtype, shape,
// data_offsets), padded with spaces to a multiple of 8 bytes.
func encodeHeader(tensors []Tensor, order []int, metadata map[string]string) []byte {
	b := []byte{'{'}
	if metadata != nil {
		b = appendString(b, metadataKey)
		b = append(b, ":{"...)
		for i, k := range slices.Sorted(mapKeys(metadata)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, metadata[k])
		}
		b = append(b, '}')
	}
	offset := 0
	for _, i := range order {
		t := &tensors[i]
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendString(b, t.Name)
		b = append(b, `:{"dtype":`...)
		b = appendString(b, string(t.DType))
		b = append(b, `,"shape":[`...)
		for k, d := range t.Shape {
			if k > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(d), 10)
		}
		b = append(b, `],"data_offsets":[`...)
		b = strconv.AppendInt(b, int64(offset), 10)
		b = append(b, ',')
		offset += len(t.Data)
		b = strconv.AppendInt(b, int64(offset), 10)
		b = append(b, "]}"...)
	}
	b = append(b, '}')
	for len(b)%8 != 0 {
		b = append(b, ' ')
	}
	return b
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// appendString appends s as a JSON string the way serde_json writes it:
// only '"', '\\' and control characters are escaped, non-ASCII stays UTF-8.
// Invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r == '\b':
			b = append(b, `\b`...)
		case r == '\f':
			b = append(b, `\f`...)
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

// WriteFile writes a safetensors file atomically: into a temporary file in
// the same directory, synced, then renamed over path, so that a crash at
// any moment leaves either the old file or the complete new one.
func WriteFile(path string, tensors []Tensor, metadata map[string]string) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	// CreateTemp makes the file private (0600); a weights file is an
	// ordinary one, as train's are.
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := Write(bw, tensors, metadata); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("safetensors: %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("safetensors: %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("safetensors: %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	// Sync the directory so that the rename itself survives a power cut.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
