package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/descent-ml/descent/bench"
	"github.com/descent-ml/descent/internal/cliflag"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/internal/kv"
	"github.com/descent-ml/descent/models"
)

func init() {
	register(&command{
		name:    "bench",
		summary: "standard performance workloads (GEMM, MLP/CNN/LSTM training, Adam, backward chains), optionally against PyTorch",
		usage: "[--threads 1,2] [--json] [--vs-pytorch] [--python PATH] [--quick] [--only PREFIX,...] [--repeats N]\n" +
			"   or: mpirun -np N descent bench --distributed [--threads T] [--model mlp|cnn] [--batch B] [--steps S] [--rounds R]",
		examples: []string{"descent bench --quick", "descent bench --threads 1,2 --only gemm"},
		run:      func(fs *flag.FlagSet, args []string) error { return runBench(os.Stdout, os.Stderr, fs, args) },
	})
}

func runBench(w, progress io.Writer, fs *flag.FlagSet, args []string) error {
	threadsFlag := fs.String("threads", fmt.Sprint(runtime.NumCPU()), "comma-separated thread counts to run at, e.g. 1,2")
	asJSON := fs.Bool("json", false, "print JSON instead of the table")
	markdown := fs.Bool("markdown", false, "print the table in Markdown (for the README)")
	m := bench.Session{Rounds: 1, Python: bench.DefaultPython(), Progress: terminalOnly(progress)}
	cliflag.Bind(fs, &m)
	cliflag.Bind(fs, &m.Config, "repeats")
	only := fs.String("only", "", "comma-separated workload name prefixes (default: all)")
	distributed := fs.Bool("distributed", false, "under mpirun (a build with -tags mpi): all-reduce bandwidth by message size, then the training step time and peak memory of every rank")
	distModel := fs.String("model", "mlp", "with --distributed: the model whose training step is timed: "+strings.Join(models.Names, " or "))
	distBatch := fs.Int("batch", 128, "with --distributed: the global batch, split over the ranks")
	distSteps := fs.Int("steps", 20, "with --distributed: steps per timed round")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	threads, err := kv.Ints(*threadsFlag)
	if err != nil {
		return usagef("--threads: %v", err)
	}
	for _, t := range threads {
		if t < 1 {
			return usagef("--threads: %d is not a thread count (want 1 or more)", t)
		}
	}
	if *distributed {
		given := givenKeys(fs)["threads"]
		if given {
			kernel.SetThreads(threads[0])
		}
		if *distBatch < 1 || *distSteps < 1 {
			return usagef("--batch %d, --steps %d: want positive numbers", *distBatch, *distSteps)
		}
		return benchDistributed(w, given, *distModel, *distBatch, *distSteps, max(m.Rounds, 5))
	}
	if m.Config.Repeats < 0 {
		return usagef("--repeats %d: want 1 or more", m.Config.Repeats)
	}
	if m.Rounds < 1 {
		return usagef("--rounds %d: want 1 or more", m.Rounds)
	}
	var prefixes []string
	if *only != "" {
		prefixes = strings.Split(*only, ",")
	}
	if m.Workloads, err = bench.Select(prefixes); err != nil {
		return &usageError{strings.TrimPrefix(err.Error(), "bench: ")}
	}
	if m.Quick && m.Config.Repeats == 0 {
		m.Config.Repeats = 3
	}
	var rows []bench.Row
	for _, t := range threads {
		rows = append(rows, m.Run(t)...)
	}
	if *asJSON {
		err = bench.WriteJSON(w, rows, m.Config, m.Rounds)
	} else {
		bench.WriteTable(w, rows, m.Config, m.Rounds, m.VsPyTorch, *markdown)
	}
	// Without a working PyTorch the descent numbers are still worth
	// printing; the run then ends with the reason, exit status 1.
	if m.TorchErr != nil && err == nil {
		return &exitError{code: 1, msg: fmt.Sprintf("PyTorch not measured, descent's numbers only: %s", oneLine(m.TorchErr.Error()))}
	}
	return err
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
