package gradcheck

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// WriteReport writes one line per result: the input's name and shape
// (from inputs), the elements checked, the largest absolute and relative
// errors and PASS or FAIL; then a summary line. It returns how many
// inputs failed. The summary names the default tolerances, which Check
// uses unless Options change them.
func WriteReport[T tensor.Float](w io.Writer, inputs []*autograd.Var[T], results []Result) (failed int) {
	fmt.Fprintf(w, "%-10s %-16s %7s %12s %12s  %s\n", "parameter", "shape", "checked", "max_abs_err", "max_rel_err", "result")
	for _, r := range results {
		verdict := "PASS"
		if !r.OK {
			verdict = "FAIL"
			failed++
		}
		dims := make([]string, len(inputs[r.Input].Shape()))
		for i, d := range inputs[r.Input].Shape() {
			dims[i] = strconv.Itoa(d)
		}
		shape := "[" + strings.Join(dims, ",") + "]"
		fmt.Fprintf(w, "%-10s %-16s %7d %12.3g %12.3g  %s\n", r.Name, shape, r.Checked, r.MaxAbsErr, r.MaxRelErr, verdict)
	}
	if failed > 0 {
		fmt.Fprintf(w, "%d of %d parameters FAIL\n", failed, len(results))
	} else {
		fmt.Fprintf(w, "all %d parameters PASS (eps 1e-6, atol 1e-5, rtol 1e-3)\n", len(results))
	}
	return failed
}
