package data

import "fmt"

// reserve sizes the table for the whole file from the first data row's
// length, and refuses a file whose table would not fit in the memory limit:
// refusing before reading beats swapping. A file with longer rows later
// grows the table as it goes, and is refused as soon as it passes the
// limit.
func (p *csvReader) reserve(nfields int) error {
	t := p.t
	if p.size <= 0 {
		return nil
	}
	rowBytes := int64(nfields) // separators and the line end
	for _, b := range p.s.fields {
		rowBytes += int64(len(b))
	}
	rows := p.size/rowBytes + 1
	need := rows * int64(nfields) * 4
	if p.limit > 0 && need > p.limit {
		return fmt.Errorf("data: %s: about %d rows of %d columns need %s as float32, more than the %s of memory available; use a smaller file or a sample of it",
			t.Name, rows, nfields, gib(need), gib(p.limit))
	}
	rows += rows/16 + 16 // rows vary in length: a little slack rather than a doubling
	t.cells = make([]float32, 0, rows*int64(len(t.Columns)))
	switch {
	case t.noTarget:
	case t.Task == "regression":
		t.targets = make([]float32, 0, rows)
	default:
		t.labels = make([]int32, 0, rows)
	}
	return nil
}

// checkGrowth refuses a table that has grown past the memory limit.
func (p *csvReader) checkGrowth() error {
	t := p.t
	if used := int64(cap(t.cells))*4 + int64(cap(t.labels)+cap(t.targets))*4; p.limit > 0 && used > p.limit {
		return p.s.errf("the table has grown to %s, more than the %s of memory available; use a smaller file or a sample of it", gib(used), gib(p.limit))
	}
	return nil
}
