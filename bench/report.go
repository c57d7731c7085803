package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/descent-ml/descent/internal/kernel"
)

// Row is one workload at one thread count: descent's value and, when
// PyTorch was measured too, PyTorch's and the ratio between them.
type Row struct {
	Workload string   `json:"workload"`
	Unit     string   `json:"unit"`
	Threads  int      `json:"threads"`
	Descent  float64  `json:"descent"`
	PyTorch  *float64 `json:"pytorch,omitempty"`
	// Ratio is descent's advantage (see Ratio): above 1 descent is faster.
	Ratio *float64 `json:"ratio,omitempty"`
}

// Session measures workloads at one thread count after another, Rounds
// times each, alternating with PyTorch (bench/pytorch/bench.py) when
// VsPyTorch is set, so that both sides see the same spells of a shared
// machine's load; a row's value is the median over the rounds.
//
// The flag tags are descent bench's flags (internal/cliflag).
type Session struct {
	Workloads []*Workload
	Config    Config
	Rounds    int    `flag:"rounds" help:"run everything (descent, then PyTorch) this many times and report the medians: a shared machine's load comes and goes"` // at least 1
	VsPyTorch bool   `flag:"vs-pytorch" help:"also run bench/pytorch/bench.py after each thread count and print the ratio"`
	Python    string `flag:"python" help:"Python interpreter with torch, for --vs-pytorch"`
	Quick     bool   `flag:"quick" help:"3 repeats instead of 5 (and PyTorch's --quick)"`
	// Progress, if not nil, receives a line that redraws itself (a
	// terminal's carriage return) naming what runs.
	Progress io.Writer
	// TorchErr is why PyTorch could not be run; once set, it is not tried
	// again and the rows carry descent's values only.
	TorchErr error
}

// Run measures every workload at the given thread count.
func (s *Session) Run(threads int) []Row {
	progress := s.Progress
	if progress == nil {
		progress = io.Discard
	}
	names := make([]string, len(s.Workloads)) // PyTorch runs exactly these
	for i, wl := range s.Workloads {
		names[i] = wl.Name
	}
	cfg := s.Config
	cfg.Threads = threads
	ours, theirs := map[string][]float64{}, map[string][]float64{}
	for round := 1; round <= max(s.Rounds, 1); round++ {
		for _, r := range Run(s.Workloads, cfg, func(wl *Workload) {
			fmt.Fprintf(progress, "\r\033[Kdescent bench: %d thread(s), round %d: %s", threads, round, wl.Name)
		}) {
			ours[r.Workload.Name] = append(ours[r.Workload.Name], r.Value)
		}
		if s.VsPyTorch && s.TorchErr == nil {
			fmt.Fprintf(progress, "\r\033[Kdescent bench: %d thread(s), round %d: PyTorch (%s)", threads, round, s.Python)
			ref, err := RunPyTorch(PyTorchOptions{Python: s.Python, Threads: threads, Quick: s.Quick, Only: names})
			if err != nil {
				s.TorchErr = err
				continue
			}
			for k, v := range ref {
				theirs[k] = append(theirs[k], v)
			}
		}
	}
	fmt.Fprint(progress, "\r\033[K")
	var rows []Row
	for _, wl := range s.Workloads {
		row := Row{Workload: wl.Name, Unit: wl.Unit, Threads: threads, Descent: Median(ours[wl.Name])}
		if vals, ok := theirs[wl.Name]; ok {
			v := Median(vals)
			row.PyTorch = &v
			if ratio := Ratio(wl, row.Descent, v); !math.IsInf(ratio, 0) && !math.IsNaN(ratio) {
				row.Ratio = &ratio // a zero measurement has no ratio (JSON has no infinities)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// Median returns the median of xs (the mean of the middle two for an even
// count; 0 for none), leaving xs as it is.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// WriteJSON writes rows as one JSON document, with the GEMM kernel, the Go
// version, the repeats and the rounds they were measured with.
func WriteJSON(w io.Writer, rows []Row, c Config, rounds int) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Kernel  string `json:"gemm_kernel"`
		Go      string `json:"go"`
		Repeats int    `json:"repeats"`
		Rounds  int    `json:"rounds"`
		Rows    []Row  `json:"rows"`
	}{kernel.GemmKernel(), runtime.Version(), c.repeats(), rounds, rows})
}

// WriteTable writes rows as a table: a header line naming the Go version,
// the GEMM kernel, the CPUs, the repeats and the rounds, then one line per
// row, aligned, or in Markdown; with vs, PyTorch's column, the ratio and a
// legend.
func WriteTable(w io.Writer, rows []Row, c Config, rounds int, vs, markdown bool) {
	fmt.Fprintf(w, "descent bench: %s, GEMM kernel %s, %d CPUs, median of %d repeats, median of %d round(s)\n",
		runtime.Version(), kernel.GemmKernel(), runtime.NumCPU(), c.repeats(), rounds)
	var tw io.Writer = &markdownWriter{w: w}
	t := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if !markdown {
		tw = t
	}
	if vs {
		fmt.Fprintln(tw, "workload\tunit\tthreads\tdescent\tPyTorch\tratio\t")
	} else {
		fmt.Fprintln(tw, "workload\tunit\tthreads\tdescent\t")
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t", r.Workload, r.Unit, r.Threads, sig(r.Descent))
		if vs && r.PyTorch != nil {
			fmt.Fprintf(tw, "%s\t%.2fx\t", sig(*r.PyTorch), *r.Ratio)
		} else if vs {
			fmt.Fprint(tw, "-\t-\t")
		}
		fmt.Fprintln(tw)
	}
	t.Flush()
	if vs {
		fmt.Fprintln(w, "ratio: descent's advantage (rates: descent/PyTorch; times: PyTorch/descent); above 1 descent is faster")
	}
}

// markdownWriter turns the tab-separated lines of WriteTable into a
// Markdown table, adding the separator line after the header.
type markdownWriter struct {
	w     io.Writer
	buf   []byte
	lines int
}

func (m *markdownWriter) Write(p []byte) (int, error) {
	m.buf = append(m.buf, p...)
	for {
		i := bytes.IndexByte(m.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		cells := strings.Split(strings.TrimSuffix(string(m.buf[:i]), "\t"), "\t")
		fmt.Fprintf(m.w, "| %s |\n", strings.Join(cells, " | "))
		if m.lines == 0 {
			fmt.Fprintf(m.w, "|%s\n", strings.Repeat("---|", len(cells)))
		}
		m.lines++
		m.buf = m.buf[i+1:]
	}
}

// sig formats a measurement with three or four significant digits: more
// would claim a precision that a shared machine's noise does not give.
func sig(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.0f", v)
	case v >= 100:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3g", v)
}
