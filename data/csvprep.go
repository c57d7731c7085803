package data

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
)

// TablePrep is everything needed to turn a table's rows into model inputs
// the same way again (new rows to predict, a test file): the feature
// columns with their kind and statistics, the target and the classes. It
// is computed from the training rows (Table.Fit) and saved with a run as
// JSON; ReadCSV takes it back (CSVOptions.Prep) to read new files with the
// same columns and classes.
type TablePrep struct {
	Target  string       `json:"target"`
	Task    string       `json:"task"`              // "classification" or "regression"
	Classes []string     `json:"classes,omitempty"` // labels as written; the model's output k is Classes[k]
	Columns []ColumnPrep `json:"columns"`
}

// ColumnPrep is one feature column's preprocessing: a numeric value x
// becomes (x − Mean)/Std (StandardScaler: the population std of the
// training rows, 1 if that is 0), and a text value becomes len(Values)
// inputs, 1 at its position in Values and 0 elsewhere (all 0 for a value
// the training rows did not have).
type ColumnPrep struct {
	Name   string   `json:"name"`
	Kind   string   `json:"kind"` // "numeric" or "text"
	Mean   float64  `json:"mean,omitempty"`
	Std    float64  `json:"std,omitempty"`
	Values []string `json:"values,omitempty"`
}

// Features returns the number of model inputs the columns make.
func (p *TablePrep) Features() int {
	n := 0
	for _, c := range p.Columns {
		if c.Kind == "text" {
			n += len(c.Values)
		} else {
			n++
		}
	}
	return n
}

func (p *TablePrep) columnNames() []string {
	names := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		names[i] = c.Name
	}
	return names
}

// ReadTablePrep decodes a TablePrep saved as JSON and checks it.
func ReadTablePrep(r io.Reader, name string) (*TablePrep, error) {
	var p TablePrep
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("data: %s: %w", name, err)
	}
	if p.Task != "classification" && p.Task != "regression" || len(p.Columns) == 0 ||
		p.Task == "classification" && len(p.Classes) == 0 {
		return nil, fmt.Errorf("data: %s: not a table's preprocessing (task %q, %d columns, %d classes)", name, p.Task, len(p.Columns), len(p.Classes))
	}
	for _, c := range p.Columns {
		if c.Kind != "numeric" && c.Kind != "text" || c.Kind == "numeric" && !(c.Std > 0) {
			return nil, fmt.Errorf("data: %s: column %q: kind %q, std %v", name, c.Name, c.Kind, c.Std)
		}
	}
	return &p, nil
}

// Split returns a random split of the rows into training and test rows,
// testFraction of them (at least one) for testing, each part in file order.
func (t *Table) Split(testFraction float64, rng *rand.Rand) (train, test []int, err error) {
	nTest := int(math.Round(testFraction * float64(t.rows)))
	if !(testFraction > 0 && testFraction < 1) || nTest < 1 || nTest >= t.rows {
		return nil, nil, fmt.Errorf("data: %s: cannot hold out %v of %d rows for testing", t.Name, testFraction, t.rows)
	}
	perm := rng.Perm(t.rows)
	test, train = perm[:nTest], perm[nTest:]
	slices.Sort(test)
	slices.Sort(train)
	return train, test, nil
}

// Fit computes the preprocessing from the given rows (nil: all rows): the
// numeric columns' mean and std, the text columns' values (sorted), and
// the task and classes of the table.
func (t *Table) Fit(rows []int) *TablePrep {
	if rows == nil {
		rows = make([]int, t.rows)
		for i := range rows {
			rows[i] = i
		}
	}
	p := &TablePrep{Target: t.Target, Task: t.Task, Classes: slices.Clone(t.Classes)}
	nc := len(t.Columns)
	for j, name := range t.Columns {
		c := ColumnPrep{Name: name, Kind: t.Kinds[j]}
		if c.Kind == "numeric" {
			var s float64
			for _, i := range rows {
				s += float64(t.cells[i*nc+j])
			}
			c.Mean = s / float64(len(rows))
			var ss float64
			for _, i := range rows {
				d := float64(t.cells[i*nc+j]) - c.Mean
				ss += d * d
			}
			c.Std = math.Sqrt(ss / float64(len(rows)))
			if c.Std == 0 {
				c.Std = 1
			}
		} else {
			seen := make([]bool, len(t.values[j]))
			for _, i := range rows {
				seen[int(t.cells[i*nc+j])] = true
			}
			for k, ok := range seen {
				if ok {
					c.Values = append(c.Values, t.values[j][k])
				}
			}
			slices.Sort(c.Values)
		}
		p.Columns = append(p.Columns, c)
	}
	return p
}

// TableSet is a Dataset of a table's rows preprocessed by a TablePrep as
// Fill copies them, so the table is held once.
type TableSet struct {
	t       *Table
	prep    *TablePrep
	rows    []int
	shape   [1]int
	onehot  [][]int32 // per text column: the input offset of each of the table's values, -1 if unknown
	offsets []int     // per column: its first input
}

var _ Dataset = (*TableSet)(nil)

// Dataset returns the rows (nil: all) of t preprocessed by prep, which
// must have t's columns and kinds.
func (t *Table) Dataset(prep *TablePrep, rows []int) (*TableSet, error) {
	if !slices.Equal(prep.columnNames(), t.Columns) || prep.Target != t.Target || prep.Task != t.Task {
		return nil, fmt.Errorf("data: %s: the preprocessing is for columns %v, target %s (%s); the table has %v, target %s (%s)",
			t.Name, prep.columnNames(), prep.Target, prep.Task, t.Columns, t.Target, t.Task)
	}
	if rows == nil {
		rows = make([]int, t.rows)
		for i := range rows {
			rows[i] = i
		}
	}
	for _, i := range rows {
		if i < 0 || i >= t.rows {
			return nil, fmt.Errorf("data: %s: row %d out of range [0, %d)", t.Name, i, t.rows)
		}
	}
	s := &TableSet{t: t, prep: prep, rows: rows, shape: [1]int{prep.Features()},
		onehot: make([][]int32, len(t.Columns)), offsets: make([]int, len(t.Columns))}
	off := 0
	for j, c := range prep.Columns {
		if c.Kind != t.Kinds[j] {
			return nil, fmt.Errorf("data: %s: column %s is %s, but the preprocessing has it %s", t.Name, c.Name, t.Kinds[j], c.Kind)
		}
		s.offsets[j] = off
		if c.Kind == "numeric" {
			off++
			continue
		}
		m := make([]int32, len(t.values[j]))
		for k, v := range t.values[j] {
			m[k] = -1
			if pos, ok := slices.BinarySearch(c.Values, v); ok {
				m[k] = int32(off + pos)
			}
		}
		s.onehot[j] = m
		off += len(c.Values)
	}
	return s, nil
}

// Len returns the number of rows.
func (s *TableSet) Len() int { return len(s.rows) }

// Shape returns [features].
func (s *TableSet) Shape() []int { return s.shape[:] }

// Classes returns the number of classes, 0 for a regression.
func (s *TableSet) Classes() int { return len(s.prep.Classes) }

// Prep returns the preprocessing the set applies.
func (s *TableSet) Prep() *TablePrep { return s.prep }

// Fill writes the preprocessed rows idx into x and their class indices
// into labels (0 for a regression, which has FillTargets, and for rows to
// predict, which have no target).
func (s *TableSet) Fill(x []float32, labels []int, idx []int) {
	t, f, nc := s.t, s.shape[0], len(s.t.Columns)
	if len(x) < len(idx)*f || len(labels) < len(idx) {
		panic(fmt.Sprintf("data: Fill of %d rows needs %d values and %d labels, got %d and %d", len(idx), len(idx)*f, len(idx), len(x), len(labels)))
	}
	for k, i := range idx {
		r := s.rows[i]
		dst, src := x[k*f:(k+1)*f], t.cells[r*nc:(r+1)*nc]
		for j, c := range s.prep.Columns {
			if m := s.onehot[j]; m != nil {
				clear(dst[s.offsets[j] : s.offsets[j]+len(c.Values)])
				if pos := m[int(src[j])]; pos >= 0 {
					dst[pos] = 1
				}
				continue
			}
			dst[s.offsets[j]] = float32((float64(src[j]) - c.Mean) / c.Std)
		}
		labels[k] = 0
		if t.labels != nil {
			labels[k] = int(t.labels[r])
		}
	}
}

// FillTargets writes the regression targets of rows idx into y (zeros
// for rows to predict).
func (s *TableSet) FillTargets(y []float32, idx []int) {
	for k, i := range idx {
		y[k] = 0
		if s.t.targets != nil {
			y[k] = s.t.targets[s.rows[i]]
		}
	}
}

// Row returns the 0-based data row of the table that example i is (its id
// for predictions: the file's line is not kept).
func (s *TableSet) Row(i int) int { return s.rows[i] }
