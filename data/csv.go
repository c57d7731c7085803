package data

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// CSVOptions configure ReadCSV. The zero value reads a comma-separated file
// whose first row is a header (unless every field of it is a number),
// predicts the last column, and guesses the task.
type CSVOptions struct {
	// Header is "auto" (or ""): the first row names the columns unless all
	// its fields are numbers; "yes"; or "no": the columns are then called
	// col0, col1, ...
	Header string
	// Target is the target column's name, or its 0-based index; "" means
	// the last column.
	Target string
	// Task is "classification", "regression", or "" to guess: regression
	// if the target holds a number with a fractional part or more than
	// MaxClasses distinct numbers, classification otherwise.
	Task string
	// Comma is the field separator; 0 means ','.
	Comma rune
	// MemoryLimit is the most bytes the table may take; 0 means the
	// memory available now (MemAvailable on Linux), and no limit where
	// that is unknown. A file whose table would not fit is refused before
	// it is read.
	MemoryLimit int64
	// Prep, when set, reads the file with the columns, kinds and classes of
	// an earlier table (test data, new data to predict): the header must
	// name the same columns, and a class outside Prep.Classes is an error.
	// A file of exactly the feature columns, without the target, is new
	// data to predict: its table has no targets (Table.HasTarget).
	Prep *TablePrep
}

// MaxClasses is the most distinct numeric targets a guessed task treats
// as classes.
const MaxClasses = 1000

// Table is a CSV file in memory: one float32 cell per row and column,
// row-major, holding a numeric column's value or a text column's value's
// index in its dictionary, and the targets apart. It is the raw material of
// Table.Dataset, which standardizes numbers and one-hot encodes text with
// statistics from the training rows (Table.Fit).
type Table struct {
	Name    string     // the file's name, for errors
	Columns []string   // the feature columns' names, in file order
	Kinds   []string   // "numeric" or "text", per feature column
	Target  string     // the target column's name
	Task    string     // "classification" or "regression"
	Classes []string   // class labels as written (classification), sorted
	values  [][]string // per text column, its distinct values by index
	cells   []float32  // rows × len(Columns)
	labels  []int32    // class index per row (classification)
	targets []float32  // target per row (regression)
	rows    int
	// noTarget marks rows to predict: a file read with a TablePrep that
	// has the feature columns only.
	noTarget bool
}

// HasTarget reports whether the table holds targets: false for a file of
// rows to predict (see CSVOptions.Prep).
func (t *Table) HasTarget() bool { return !t.noTarget }

// Rows returns the number of data rows.
func (t *Table) Rows() int { return t.rows }

// ReadCSVFile reads the CSV file at path; see ReadCSV.
func ReadCSVFile(path string, opts CSVOptions) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return ReadCSV(f, st.Size(), filepath.Base(path), opts)
}

// ReadCSV reads a CSV table from r in one streaming pass. size is the
// number of bytes r holds (-1 if unknown), used to size the table once and
// to refuse a file that would not fit in memory; name names the file in
// errors, which give the line: a ragged row, a non-number, NaN or infinity
// in a numeric column (a column is numeric if its first data row holds a
// number there), an empty file, a header without rows, an unknown target
// column (the error lists the columns).
func ReadCSV(r io.Reader, size int64, name string, opts CSVOptions) (*Table, error) {
	p, err := newCSVReader(r, size, name, opts)
	if err != nil {
		return nil, err
	}
	return p.read()
}

// csvReader is ReadCSV's state.
type csvReader struct {
	s        *csvScanner
	opts     CSVOptions
	size     int64
	t        *Table
	target   int                // the target's index among all columns
	order    []int              // with a TablePrep, feature column j's index among all, where not in the model's order
	dicts    []map[string]int32 // per feature column (text only)
	classIdx map[string]int32
	numeric  bool // the target, in a guessed task, is numeric so far
	limit    int64
	isText   []bool // per feature column
	regress  bool   // the task is regression
}

func newCSVReader(r io.Reader, size int64, name string, opts CSVOptions) (*csvReader, error) {
	comma := byte(',')
	if opts.Comma != 0 {
		if opts.Comma > 127 || opts.Comma == '"' || opts.Comma == '\n' || opts.Comma == '\r' {
			return nil, fmt.Errorf("data: %s: separator %q must be one ASCII character other than a quote or line end", name, opts.Comma)
		}
		comma = byte(opts.Comma)
	}
	switch opts.Header {
	case "", "auto", "yes", "no":
	default:
		return nil, fmt.Errorf("data: %s: header %q: want auto, yes or no", name, opts.Header)
	}
	switch opts.Task {
	case "", "classification", "regression":
	default:
		return nil, fmt.Errorf("data: %s: task %q: want classification or regression", name, opts.Task)
	}
	limit := opts.MemoryLimit
	if limit == 0 {
		limit = availableMemory()
	}
	return &csvReader{s: newCSVScanner(r, size, name, comma), opts: opts, size: size, limit: limit,
		t: &Table{Name: name}, classIdx: map[string]int32{}, numeric: true}, nil
}

func (p *csvReader) read() (*Table, error) {
	s, t := p.s, p.t
	if err := s.Scan(); err == io.EOF {
		return nil, fmt.Errorf("data: %s: empty file", t.Name)
	} else if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	names, dataFirst := p.header()
	if err := p.setColumns(names); err != nil {
		return nil, err
	}
	first := true
	for {
		if !dataFirst || !first {
			if err := s.Scan(); err == io.EOF {
				break
			} else if err != nil {
				return nil, fmt.Errorf("data: %w", err)
			}
		}
		if first {
			if err := p.firstRow(); err != nil {
				return nil, err
			}
			first = false
		}
		if err := p.row(); err != nil {
			return nil, err
		}
	}
	if t.rows == 0 {
		return nil, fmt.Errorf("data: %s: a header but no data rows", t.Name)
	}
	return t, p.finish()
}

// header returns the column names and whether the first record is data.
func (p *csvReader) header() ([]string, bool) {
	f := p.s.fields
	isHeader := p.opts.Header == "yes"
	if p.opts.Header == "" || p.opts.Header == "auto" {
		for _, b := range f {
			if _, ok := parseNumber(b); !ok {
				isHeader = true
				break
			}
		}
	}
	names := make([]string, len(f))
	for i, b := range f {
		if isHeader {
			names[i] = strings.TrimSpace(string(b))
		} else {
			names[i] = "col" + strconv.Itoa(i)
		}
	}
	return names, !isHeader
}

// setColumns finds the target and names the feature columns.
func (p *csvReader) setColumns(names []string) error {
	t := p.t
	if len(names) < 2 && p.opts.Prep == nil {
		hint := ""
		if sep := strings.IndexAny(names[0], ";\t|"); sep >= 0 {
			hint = fmt.Sprintf(" (the header holds %q: descent reads comma-separated values)", names[0][sep])
		}
		return fmt.Errorf("data: %s: %d column; a table needs at least one feature and a target%s", t.Name, len(names), hint)
	}
	if pr := p.opts.Prep; pr != nil {
		return p.matchPrep(names, pr)
	}
	p.target = len(names) - 1
	if want := p.opts.Target; want != "" {
		p.target = slices.Index(names, want)
		if k, err := strconv.Atoi(want); p.target < 0 && err == nil && k >= 0 && k < len(names) {
			p.target = k
		}
		if p.target < 0 {
			return fmt.Errorf("data: %s: no target column %q; the columns are %s", t.Name, want, strings.Join(names, ", "))
		}
	}
	t.Target = names[p.target]
	t.Columns = append(slices.Clone(names[:p.target]), names[p.target+1:]...)
	return nil
}

// matchPrep finds, in new data for a trained model (read with its
// TablePrep), the model's feature columns and target by name, in any
// order, as a table exported again may order them; without the target
// the rows are to predict. Any other column, or a missing one, is an
// error naming both sets.
func (p *csvReader) matchPrep(names []string, pr *TablePrep) error {
	t, want := p.t, pr.columnNames()
	p.target = slices.Index(names, pr.Target)
	features := slices.Clone(names)
	if p.target >= 0 {
		features = slices.Delete(features, p.target, p.target+1)
	} else {
		p.target = len(names) // no target: rows to predict
		t.noTarget = true
	}
	t.Columns, t.Target = slices.Clone(want), pr.Target
	if slices.Equal(features, want) {
		return nil // in the model's order: field does the rest
	}
	p.order = make([]int, len(want))
	for j, name := range want {
		p.order[j] = slices.Index(names, name)
	}
	sorted := slices.Sorted(slices.Values(p.order))
	if len(features) != len(want) || sorted[0] < 0 || len(slices.Compact(sorted)) != len(want) {
		target := pr.Target
		if t.noTarget {
			target += ", or none for rows to predict"
		}
		return fmt.Errorf("data: %s: columns %s, but the model was trained on %s (target %s)",
			t.Name, strings.Join(names, ", "), strings.Join(want, ", "), target)
	}
	return nil
}

// firstRow decides the column kinds and the task, and sizes the table.
func (p *csvReader) firstRow() error {
	t, f := p.t, p.s.fields
	if len(f) != p.fields() {
		return p.s.errf("%d fields, but the header has %d", len(f), p.fields())
	}
	t.Kinds = make([]string, len(t.Columns))
	p.dicts = make([]map[string]int32, len(t.Columns))
	t.values = make([][]string, len(t.Columns))
	for j := range t.Columns {
		t.Kinds[j] = "numeric"
		if _, ok := parseNumber(f[p.field(j)]); !ok {
			t.Kinds[j] = "text"
		}
		if pr := p.opts.Prep; pr != nil {
			t.Kinds[j] = pr.Columns[j].Kind
		}
		if t.Kinds[j] == "text" {
			p.dicts[j] = map[string]int32{}
		}
	}
	t.Task = p.opts.Task
	if pr := p.opts.Prep; pr != nil {
		t.Task = pr.Task
		for i, c := range pr.Classes {
			p.classIdx[c] = int32(i)
		}
		t.Classes = slices.Clone(pr.Classes)
	}
	p.isText = make([]bool, len(t.Kinds))
	for j, k := range t.Kinds {
		p.isText[j] = k == "text"
	}
	p.regress = t.Task == "regression"
	return p.reserve(len(p.s.fields))
}

// fields returns the number of fields a record must have.
func (p *csvReader) fields() int {
	if p.t.noTarget {
		return len(p.t.Columns)
	}
	return len(p.t.Columns) + 1
}

// field returns the index among all fields of feature column j.
func (p *csvReader) field(j int) int {
	if p.order != nil {
		return p.order[j]
	}
	if j >= p.target {
		return j + 1
	}
	return j
}

// row appends the current record.
func (p *csvReader) row() error {
	t, f := p.t, p.s.fields
	if len(f) != p.fields() {
		return p.s.errf("%d fields, but the header has %d", len(f), p.fields())
	}
	for j, text := range p.isText {
		b := f[p.field(j)]
		if !text {
			v, ok := parseNumber(b)
			if !ok {
				return p.s.errf("column %s: %q is not a finite number (the column is numeric: its first row holds a number)", t.Columns[j], b)
			}
			t.cells = append(t.cells, v)
			continue
		}
		k, ok := p.dicts[j][string(b)]
		if !ok {
			k = int32(len(t.values[j]))
			p.dicts[j][string(b)] = k
			t.values[j] = append(t.values[j], string(b))
		}
		t.cells = append(t.cells, float32(k))
	}
	if !t.noTarget {
		if err := p.addTarget(f[p.target]); err != nil {
			return err
		}
	}
	t.rows++
	if t.rows&4095 == 0 {
		return p.checkGrowth()
	}
	return nil
}

// addTarget appends one target value.
func (p *csvReader) addTarget(b []byte) error {
	t := p.t
	if p.regress {
		v, ok := parseNumber(b)
		if !ok {
			return p.s.errf("target %s: %q is not a finite number (the task is regression)", t.Target, b)
		}
		t.targets = append(t.targets, v)
		return nil
	}
	k, ok := p.classIdx[string(b)]
	if !ok {
		if p.opts.Prep != nil {
			return p.s.errf("target %s: class %q was not in the training data (classes: %s)", t.Target, b, strings.Join(t.Classes, ", "))
		}
		if _, num := parseNumber(b); !num {
			p.numeric = false
		}
		k = int32(len(t.Classes))
		p.classIdx[string(b)] = k
		t.Classes = append(t.Classes, strings.Clone(string(b)))
		if t.Task == "" && p.numeric && len(t.Classes) > MaxClasses {
			p.toRegression()
			return nil
		}
	}
	t.labels = append(t.labels, k)
	return nil
}

// toRegression turns the class indices read so far into numbers: a guessed
// task whose target has too many distinct numbers is a regression.
func (p *csvReader) toRegression() {
	t := p.t
	t.Task, p.regress = "regression", true
	t.targets = make([]float32, len(t.labels), cap(t.labels))
	for i, k := range t.labels {
		t.targets[i], _ = parseNumber([]byte(t.Classes[k]))
	}
	v, _ := parseNumber([]byte(t.Classes[len(t.Classes)-1]))
	t.targets = append(t.targets, v)
	t.labels, t.Classes, p.classIdx = nil, nil, nil
}

// finish settles a guessed task and sorts the classes.
func (p *csvReader) finish() error {
	t := p.t
	if t.noTarget {
		t.Target = p.opts.Prep.Target
		return nil
	}
	if t.Task == "" {
		t.Task = "classification"
		if p.numeric && slices.ContainsFunc(t.Classes, func(c string) bool {
			v, _ := parseNumber([]byte(c))
			return v != float32(math.Trunc(float64(v)))
		}) {
			p.toRegressionAll()
		}
	}
	if t.Task == "classification" && p.opts.Prep == nil {
		sortClasses(t, p.numeric)
	}
	return nil
}

// toRegressionAll converts every class index to its number.
func (p *csvReader) toRegressionAll() {
	t := p.t
	t.Task = "regression"
	t.targets = make([]float32, len(t.labels))
	for i, k := range t.labels {
		t.targets[i], _ = parseNumber([]byte(t.Classes[k]))
	}
	t.labels, t.Classes = nil, nil
}

// sortClasses orders the classes numerically if all are numbers, else as
// strings (as torchvision's ImageFolder orders folders), and renumbers the
// labels.
func sortClasses(t *Table, numeric bool) {
	order := make([]int, len(t.Classes))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if numeric {
			x, _ := parseNumber([]byte(t.Classes[a]))
			y, _ := parseNumber([]byte(t.Classes[b]))
			if x != y {
				if x < y {
					return -1
				}
				return 1
			}
		}
		return strings.Compare(t.Classes[a], t.Classes[b])
	})
	newIdx := make([]int32, len(order))
	sorted := make([]string, len(order))
	for to, from := range order {
		newIdx[from] = int32(to)
		sorted[to] = t.Classes[from]
	}
	t.Classes = sorted
	for i, k := range t.labels {
		t.labels[i] = newIdx[k]
	}
}

// parseNumber parses a finite decimal number, allowing spaces around it:
// the float64 nearest to it (as strconv.ParseFloat), rounded to float32 (as
// NumPy's and pandas' float64 to float32 conversion).
func parseNumber(b []byte) (float32, bool) {
	b = trimSpace(b)
	if v, ok := parseSimple(b); ok {
		return float32(v), true
	}
	if len(b) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(b), 64) // string(b) does not escape: no allocation
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return float32(v), true
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseSimple is the fast path of parseNumber for the common form
// [+-]digits[.digits] with at most 15 significant digits and no exponent:
// the digits make an integer m < 2^53 and the value is m / 10^k, one
// correctly rounded division of exact float64 values (Clinger's fast
// path), so the result is exactly strconv.ParseFloat's. Anything else
// reports false and takes the slow path.
func parseSimple(b []byte) (float64, bool) {
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg, i = b[0] == '-', 1
	}
	var m uint64
	digits, sig, frac, seenDot := 0, 0, 0, false
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if m != 0 || c != '0' {
				sig++ // significant digits start at the first non-zero one
			}
			if sig > 15 {
				return 0, false
			}
			m = m*10 + uint64(c-'0')
			if seenDot {
				frac++
			}
		case c == '.' && !seenDot:
			seenDot = true
		default:
			return 0, false
		}
	}
	if digits == 0 || frac >= len(pow10) {
		return 0, false
	}
	v := float64(m) / pow10[frac]
	if neg {
		v = -v
	}
	return v, true
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
