package data

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// csvScanner splits a CSV stream (RFC 4180: comma-separated fields,
// double-quoted fields that may hold commas, newlines and "" for a quote;
// CRLF or LF line ends) into records without allocating per record: the
// fields are views into its buffers, valid until the next call. Blank
// lines are skipped; a UTF-8 byte-order mark at the start is dropped. It
// is the streaming core of ReadCSV, written for speed: encoding/csv
// allocates a string per field.
type csvScanner struct {
	r      *bufio.Reader
	comma  byte
	name   string
	line   int      // physical line where the current record starts (1-based)
	next   int      // physical line of the next read
	fields [][]byte // the current record
	long   []byte   // a line longer than the reader's buffer, or a quoted record
	quoted []byte   // unescaped quoted fields of the current record
	first  bool
}

// newCSVScanner reads r through a 1 MiB buffer, or a smaller one for a
// smaller input (size bytes, -1 if unknown).
func newCSVScanner(r io.Reader, size int64, name string, comma byte) *csvScanner {
	buf := 1 << 20
	if size >= 0 && size < int64(buf) {
		buf = max(16, int(size)+1)
	}
	return &csvScanner{r: bufio.NewReaderSize(r, buf), comma: comma, name: name, next: 1, first: true}
}

// errf returns an error naming the file and the current record's line.
func (s *csvScanner) errf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", s.name, s.line, fmt.Sprintf(format, args...))
}

// readLine returns the next physical line without its line end, or io.EOF.
func (s *csvScanner) readLine() ([]byte, error) {
	b, err := s.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		s.long = append(s.long[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = s.r.ReadSlice('\n')
			s.long = append(s.long, b...)
		}
		b = s.long
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s:%d: %w", s.name, s.next, err)
	}
	if len(b) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	s.next++
	b = bytes.TrimSuffix(b, []byte{'\n'})
	b = bytes.TrimSuffix(b, []byte{'\r'})
	if s.first {
		s.first = false
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	}
	return b, nil
}

// Scan reads the next non-blank record into s.fields; it returns io.EOF at
// the end of the input.
func (s *csvScanner) Scan() error {
	var line []byte
	var err error
	for {
		s.line = s.next
		if line, err = s.readLine(); err != nil {
			return err
		}
		if len(line) > 0 {
			break
		}
	}
	s.fields = s.fields[:0]
	if bytes.IndexByte(line, '"') < 0 { // the fast path: no quoting
		for {
			i := bytes.IndexByte(line, s.comma)
			if i < 0 {
				s.fields = append(s.fields, line)
				return nil
			}
			s.fields = append(s.fields, line[:i])
			line = line[i+1:]
		}
	}
	return s.scanQuoted(line)
}

// scanQuoted splits a record that contains a quote, reading more lines
// while a quoted field is open. Unescaped fields are copied to s.quoted;
// the record's fields are offsets into it until the end, so that growing
// the buffer cannot invalidate them.
func (s *csvScanner) scanQuoted(line []byte) error {
	rec := append(s.long[:0:0], line...) // a private copy: later reads reuse the reader's buffer
	s.quoted = s.quoted[:0]
	var bounds []int // start, end pairs into s.quoted
	i := 0
	for {
		start := len(s.quoted)
		if i < len(rec) && rec[i] == '"' {
			i++
			for {
				j := bytes.IndexByte(rec[i:], '"')
				if j < 0 { // the field goes on on the next line
					s.quoted = append(append(s.quoted, rec[i:]...), '\n')
					more, err := s.readLine()
					if err == io.EOF {
						return s.errf("quoted field not closed before the end of the file")
					} else if err != nil {
						return err
					}
					rec, i = append(rec[:0], more...), 0
					continue
				}
				s.quoted = append(s.quoted, rec[i:i+j]...)
				i += j + 1
				if i < len(rec) && rec[i] == '"' { // "" is a quote
					s.quoted = append(s.quoted, '"')
					i++
					continue
				}
				break
			}
			if i < len(rec) && rec[i] != s.comma {
				return s.errf("unexpected %q after a quoted field", rec[i])
			}
		} else {
			j := bytes.IndexByte(rec[i:], s.comma)
			if j < 0 {
				j = len(rec) - i
			}
			if q := bytes.IndexByte(rec[i:i+j], '"'); q >= 0 {
				return s.errf("a quote inside an unquoted field (quote the whole field and double the quote)")
			}
			s.quoted = append(s.quoted, rec[i:i+j]...)
			i += j
		}
		bounds = append(bounds, start, len(s.quoted))
		if i >= len(rec) {
			break
		}
		i++ // the comma
		if i == len(rec) {
			bounds = append(bounds, len(s.quoted), len(s.quoted)) // a trailing empty field
			break
		}
	}
	for k := 0; k < len(bounds); k += 2 {
		s.fields = append(s.fields, s.quoted[bounds[k]:bounds[k+1]])
	}
	return nil
}
