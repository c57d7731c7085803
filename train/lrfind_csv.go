package train

import (
	"encoding/csv"
	"io"
	"strconv"
)

// WriteLRFindCSV writes the sweep as CSV: step,lr,loss,smoothed_loss, one
// row per step, numbers in their shortest exact form.
func WriteLRFindCSV(w io.Writer, r *LRFindResult) error {
	cw := csv.NewWriter(w)
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	_ = cw.Write([]string{"step", "lr", "loss", "smoothed_loss"})
	for i, p := range r.Points {
		_ = cw.Write([]string{strconv.Itoa(i), g(p.LR), g(p.Loss), g(p.Smoothed)})
	}
	cw.Flush()
	return cw.Error()
}
