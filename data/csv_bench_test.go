package data_test

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/tensor"
)

// writeNumericCSV writes a CSV of about size bytes: a header, features
// numeric columns of N(0, 1) values with 6 decimals and a class column,
// and returns its path and number of rows.
func writeNumericCSV(tb testing.TB, size int64, features int) (string, int) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "big.csv")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for j := range features {
		w.WriteString("f" + strconv.Itoa(j) + ",")
	}
	w.WriteString("label\n")
	rng := tensor.NewRand(1)
	var written int64
	rows := 0
	buf := make([]byte, 0, 64)
	for written < size {
		n := 0
		for range features {
			buf = strconv.AppendFloat(buf[:0], rng.NormFloat64(), 'f', 6, 64)
			buf = append(buf, ',')
			w.Write(buf)
			n += len(buf)
		}
		buf = strconv.AppendInt(buf[:0], int64(rng.IntN(10)), 10)
		buf = append(buf, '\n')
		w.Write(buf)
		written += int64(n + len(buf))
		rows++
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	return path, rows
}

// loadMeasured reads path and returns the bytes allocated while reading:
// an upper bound on the reader's peak memory.
func loadMeasured(tb testing.TB, path string) (*data.Table, uint64) {
	tb.Helper()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	t, err := data.ReadCSVFile(path, data.CSVOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	return t, after.TotalAlloc - before.TotalAlloc
}

// TestCSVMemory: everything ReadCSV allocates for a 4 MB numeric file,
// its peak memory included, stays under twice the float32 matrix of its
// cells.
func TestCSVMemory(t *testing.T) {
	path, rows := writeNumericCSV(t, 4<<20, 10)
	tb, alloc := loadMeasured(t, path)
	matrix := uint64(rows * 11 * 4)
	if tb.Rows() != rows || alloc > 2*matrix {
		t.Errorf("%d rows (want %d); allocated %d bytes, %.2f× the %d-byte float32 matrix, want <= 2×", tb.Rows(), rows, alloc, float64(alloc)/float64(matrix), matrix)
	}
}

// BenchmarkReadCSV100MB reads a generated 100 MB CSV (10 numeric features
// and a label: ~1.3M rows) and reports the speed in MB/s and the bytes
// allocated (a bound on the peak memory) relative to the float32 matrix,
// and MB per CPU-second (user + system time of the whole process, garbage
// collection included), which a machine shared with other work does not
// distort as it does MB/s.
// Run: go test -run '^$' -bench ReadCSV100MB -benchtime 3x ./data/
func BenchmarkReadCSV100MB(b *testing.B) {
	path, rows := writeNumericCSV(b, 100<<20, 10)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	matrix := float64(rows * 11 * 4)
	var ratio float64
	var cpu time.Duration
	for b.Loop() {
		c0 := cpuTime()
		_, alloc := loadMeasured(b, path)
		cpu += cpuTime() - c0
		ratio = float64(alloc) / matrix
	}
	b.ReportMetric(ratio, "alloc/matrix")
	if cpu > 0 {
		b.ReportMetric(float64(st.Size())*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}
