package data

import (
	"fmt"
	"os"
)

// TextTestFraction is the part of a text file held out for testing: its
// last tenth.
const TextTestFraction = 0.1

// LoadText reads a file as a byte stream for a byte-level language model
// and splits it: the first 90% for training, the last 10% for testing
// (TextTestFraction). A missing, unreadable or too short file is an error
// naming it; each part must hold at least two bytes (one input and the
// byte after it).
func LoadText(path string) (trainPart, testPart []byte, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %v", err)
	}
	if len(b) == 0 {
		return nil, nil, fmt.Errorf("data: %s is empty: no text to learn from", path)
	}
	return SplitText(b, path)
}

// SplitText splits b into its first 90% and last 10%; name names it in
// errors.
func SplitText(b []byte, name string) (trainPart, testPart []byte, err error) {
	cut := len(b) - int(float64(len(b))*TextTestFraction)
	if cut < 2 || len(b)-cut < 2 {
		return nil, nil, fmt.Errorf("data: %s has %d bytes; a language model needs at least 20 (90%% to train on, 10%% to test on, 2 each)", name, len(b))
	}
	return b[:cut], b[cut:], nil
}

// ByteBatches cuts a byte stream into Rows rows read side by side, each
// row a contiguous piece of the stream (row r holds bytes r*L to r*L+L-1,
// the tail that does not fill a row is dropped), as PyTorch's
// word_language_model example batchifies a corpus. Truncated
// backpropagation through time walks the rows together, BPTT steps at a
// time, carrying each row's recurrent state to its next chunk.
type ByteBatches struct {
	stream []byte
	Rows   int // rows read in parallel: the batch size
	RowLen int // bytes in each row
}

// NewByteBatches arranges stream into at most rows rows, fewer if the
// stream is too short for each to hold two bytes; an empty stream is an
// error.
func NewByteBatches(stream []byte, rows int) (*ByteBatches, error) {
	if rows < 1 {
		return nil, fmt.Errorf("data: %d rows: want at least 1", rows)
	}
	rows = min(rows, len(stream)/2)
	if rows < 1 {
		return nil, fmt.Errorf("data: a stream of %d bytes is too short to predict a byte from the one before", len(stream))
	}
	return &ByteBatches{stream: stream, Rows: rows, RowLen: len(stream) / rows}, nil
}

// Positions returns the number of steps with a target in each row
// (RowLen-1): inputs at positions 0..RowLen-2 predict the byte after.
func (s *ByteBatches) Positions() int { return s.RowLen - 1 }

// Chunk fills x and y, row-major [Rows, n], with the inputs at positions
// start..start+n-1 of every row and their targets (the next bytes), where
// n = min(bptt, Positions()-start), and returns n. x holds the byte values
// as float32 (the indices of an embedding); x and y must hold Rows*bptt.
func (s *ByteBatches) Chunk(start, bptt int, x []float32, y []int) int {
	n := min(bptt, s.Positions()-start)
	for r := 0; r < s.Rows; r++ {
		row := s.stream[r*s.RowLen : (r+1)*s.RowLen]
		for t := 0; t < n; t++ {
			x[r*n+t] = float32(row[start+t])
			y[r*n+t] = int(row[start+t+1])
		}
	}
	return n
}
