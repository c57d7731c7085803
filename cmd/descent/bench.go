package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/descent-ml/descent/bench"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/models"
)

func init() {
	register(&command{
		name:    "bench",
		summary: "standard performance workloads (GEMM, MLP/CNN/LSTM training, Adam, backward chains), optionally against PyTorch",
		usage: "[--threads 1,2] [--json] [--vs-pytorch] [--python PATH] [--quick] [--only PREFIX,...] [--repeats N]\n" +
			"   or: mpirun -np N descent bench --distributed [--threads T] [--model mlp|cnn] [--batch B] [--steps S] [--rounds R]",
		examples: []string{"descent bench --quick", "descent bench --threads 1,2 --only matmul"},
		run:      func(fs *flag.FlagSet, args []string) error { return runBench(os.Stdout, os.Stderr, fs, args) },
	})
}

// benchRow is one workload at one thread count, as --json writes it.
type benchRow struct {
	Workload string   `json:"workload"`
	Unit     string   `json:"unit"`
	Threads  int      `json:"threads"`
	Descent  float64  `json:"descent"`
	PyTorch  *float64 `json:"pytorch,omitempty"`
	// Ratio is descent's advantage: above 1 descent is faster.
	Ratio *float64 `json:"ratio,omitempty"`
}

func runBench(w, progress io.Writer, fs *flag.FlagSet, args []string) error {
	threadsFlag := fs.String("threads", fmt.Sprint(runtime.NumCPU()), "comma-separated thread counts to run at, e.g. 1,2")
	asJSON := fs.Bool("json", false, "print JSON instead of the table")
	markdown := fs.Bool("markdown", false, "print the table in Markdown (for the README)")
	vsPyTorch := fs.Bool("vs-pytorch", false, "also run bench/pytorch/bench.py after each thread count and print the ratio")
	python := fs.String("python", bench.DefaultPython(), "Python interpreter with torch, for --vs-pytorch")
	quick := fs.Bool("quick", false, "3 repeats instead of 5 (and PyTorch's --quick)")
	only := fs.String("only", "", "comma-separated workload name prefixes (default: all)")
	repeats := fs.Int("repeats", 0, "timed repeats per workload, the median is reported (default 5, 3 with --quick)")
	rounds := fs.Int("rounds", 1, "run everything (descent, then PyTorch) this many times and report the medians: a shared machine's load comes and goes")
	distributed := fs.Bool("distributed", false, "under mpirun (a build with -tags mpi): all-reduce bandwidth by message size, then the training step time and peak memory of every rank")
	distModel := fs.String("model", "mlp", "with --distributed: the model whose training step is timed: "+strings.Join(models.Names, " or "))
	distBatch := fs.Int("batch", 128, "with --distributed: the global batch, split over the ranks")
	distSteps := fs.Int("steps", 20, "with --distributed: steps per timed round")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	threads, err := parseInts(*threadsFlag)
	if err != nil {
		return usagef("--threads: %v", err)
	}
	for _, t := range threads {
		if t < 1 {
			return usagef("--threads: %d is not a thread count (want 1 or more)", t)
		}
	}
	if *distributed {
		given := false
		fs.Visit(func(f *flag.Flag) { given = given || f.Name == "threads" })
		if given {
			kernel.SetThreads(threads[0])
		}
		if *distBatch < 1 || *distSteps < 1 {
			return usagef("--batch %d, --steps %d: want positive numbers", *distBatch, *distSteps)
		}
		return benchDistributed(w, given, *distModel, *distBatch, *distSteps, max(*rounds, 5))
	}
	if *repeats < 0 {
		return usagef("--repeats %d: want 1 or more", *repeats)
	}
	if *rounds < 1 {
		return usagef("--rounds %d: want 1 or more", *rounds)
	}
	var prefixes []string
	if *only != "" {
		prefixes = strings.Split(*only, ",")
	}
	ws, err := bench.Select(prefixes)
	if err != nil {
		return &usageError{err.Error()}
	}
	cfg := bench.Config{Repeats: *repeats}
	if *quick && cfg.Repeats == 0 {
		cfg.Repeats = 3
	}
	m := benchMeasure{ws: ws, cfg: cfg, rounds: *rounds, vs: *vsPyTorch, python: *python, quick: *quick, progress: terminalOnly(progress)}
	var rows []benchRow
	for _, t := range threads {
		rows = append(rows, m.run(t)...)
	}
	// Without a working PyTorch the descent numbers are still worth
	// printing; the run then ends with the reason, exit status 1.
	var failed error
	if m.torchErr != nil {
		failed = &exitError{code: 1, msg: fmt.Sprintf("PyTorch not measured, descent's numbers only: %s", oneLine(m.torchErr.Error()))}
	}
	if *asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Kernel  string     `json:"gemm_kernel"`
			Go      string     `json:"go"`
			Repeats int        `json:"repeats"`
			Rounds  int        `json:"rounds"`
			Rows    []benchRow `json:"rows"`
		}{kernel.GemmKernel(), runtime.Version(), cfgRepeats(cfg), *rounds, rows}); err != nil {
			return err
		}
		return failed
	}
	fmt.Fprintf(w, "descent bench: %s, GEMM kernel %s, %d CPUs, median of %d repeats, median of %d round(s)\n",
		runtime.Version(), kernel.GemmKernel(), runtime.NumCPU(), cfgRepeats(cfg), *rounds)
	writeBenchTable(w, rows, *vsPyTorch, *markdown)
	if *vsPyTorch {
		fmt.Fprintln(w, "ratio: descent's advantage (rates: descent/PyTorch; times: PyTorch/descent); above 1 descent is faster")
	}
	return failed
}

// terminalOnly returns w if it is a terminal, else io.Discard: the
// progress line redraws itself with escape sequences that a file or a pipe
// would keep.
func terminalOnly(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return w
		}
	}
	return io.Discard
}

// benchMeasure runs the workloads at one thread count, alternating with
// PyTorch when vs is set, rounds times, so that both sides see the same
// spells of load; each side's value is the median over the rounds.
type benchMeasure struct {
	ws       []*bench.Workload
	cfg      bench.Config
	rounds   int
	vs       bool
	python   string
	quick    bool
	progress io.Writer
	torchErr error // why PyTorch could not be run; it is not tried again
}

func (m *benchMeasure) run(threads int) []benchRow {
	names := make([]string, len(m.ws)) // PyTorch runs exactly these
	for i, wl := range m.ws {
		names[i] = wl.Name
	}
	cfg := m.cfg
	cfg.Threads = threads
	ours, theirs := map[string][]float64{}, map[string][]float64{}
	for round := 1; round <= m.rounds; round++ {
		res := bench.Run(m.ws, cfg, func(wl *bench.Workload) {
			fmt.Fprintf(m.progress, "\r\033[Kdescent bench: %d thread(s), round %d: %s", threads, round, wl.Name)
		})
		for _, r := range res {
			ours[r.Workload.Name] = append(ours[r.Workload.Name], r.Value)
		}
		if m.vs && m.torchErr == nil {
			fmt.Fprintf(m.progress, "\r\033[Kdescent bench: %d thread(s), round %d: PyTorch (%s)", threads, round, m.python)
			ref, err := bench.RunPyTorch(bench.PyTorchOptions{Python: m.python, Threads: threads, Quick: m.quick, Only: names})
			if err != nil {
				m.torchErr = err
				continue
			}
			for k, v := range ref {
				theirs[k] = append(theirs[k], v)
			}
		}
	}
	fmt.Fprint(m.progress, "\r\033[K")
	var rows []benchRow
	for _, wl := range m.ws {
		row := benchRow{Workload: wl.Name, Unit: wl.Unit, Threads: threads, Descent: median(ours[wl.Name])}
		if vals, ok := theirs[wl.Name]; ok {
			v := median(vals)
			row.PyTorch = &v
			if ratio := bench.Ratio(wl, row.Descent, v); !math.IsInf(ratio, 0) && !math.IsNaN(ratio) {
				row.Ratio = &ratio // a zero measurement has no ratio (JSON has no infinities)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func cfgRepeats(c bench.Config) int {
	if c.Repeats > 0 {
		return c.Repeats
	}
	return 5
}

func writeBenchTable(w io.Writer, rows []benchRow, vs, markdown bool) {
	var tw io.Writer
	if markdown {
		tw = &markdownWriter{w: w}
	} else {
		t := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		defer t.Flush()
		tw = t
	}
	if vs {
		fmt.Fprintln(tw, "workload\tunit\tthreads\tdescent\tPyTorch\tratio\t")
	} else {
		fmt.Fprintln(tw, "workload\tunit\tthreads\tdescent\t")
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t", r.Workload, r.Unit, r.Threads, sig(r.Descent))
		if vs {
			if r.PyTorch != nil {
				fmt.Fprintf(tw, "%s\t%.2fx\t", sig(*r.PyTorch), *r.Ratio)
			} else {
				fmt.Fprint(tw, "-\t-\t")
			}
		}
		fmt.Fprintln(tw)
	}
}

// markdownWriter turns the tab-separated lines of writeBenchTable into a
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
