// Package bench holds descent's standard performance workloads: float32
// GEMM, MLP and CNN training steps, the Adam step on 10M parameters and
// backward passes through long op chains. `descent bench` runs them and
// prints one table; bench/pytorch/bench.py runs the same workloads in
// PyTorch under the same names, so the two sides compare row by row.
//
// A workload is timed as the median of repeated measurements, each of many
// iterations after a warm-up, because the machine it runs on is shared and
// noisy: the median ignores the repeats that another process disturbed.
// The same workloads are testing.B benchmarks (bench_test.go); the tests
// run each at a toy size, to check that it works, never how fast.
package bench

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/descent-ml/descent/internal/kernel"
)

// Workload is one measurement. Its Name is the key of both descent's and
// PyTorch's JSON output.
type Workload struct {
	Name string
	Unit string // "GFLOP/s", "samples/s", "ms", "GB/s", "us/op"
	// HigherIsBetter is true for rates and false for times.
	HigherIsBetter bool
	// Doc says what is measured, for the table's legend.
	Doc string
	run func(c Config) float64
	// derive, if set, computes the value from another workload's result
	// (named by From) instead of timing anything.
	From   string
	derive func(from float64) float64
}

// Config sets how workloads run.
type Config struct {
	// Threads is the number of goroutines the kernels and the optimizer
	// may use (kernel.SetThreads and GOMAXPROCS); 0 leaves them as they are.
	Threads int
	// Repeats is the number of timed measurements whose median is
	// reported; 0 means 5.
	Repeats int `flag:"repeats" help:"timed repeats per workload, the median is reported (default 5, 3 with --quick)"`
	// Toy runs every workload at a tiny size with one short repeat: for
	// tests, which check that the workloads run, not their speed.
	Toy bool
}

func (c Config) repeats() int {
	switch {
	case c.Toy:
		return 1
	case c.Repeats > 0:
		return c.Repeats
	}
	return 5
}

// Result is one workload's measured value.
type Result struct {
	Workload *Workload
	Value    float64
}

// Workloads returns every workload, in table order.
func Workloads() []*Workload {
	var ws []*Workload
	for _, n := range GemmSizes {
		ws = append(ws, &Workload{Name: fmt.Sprintf("gemm_%d_gflops", n), Unit: "GFLOP/s", HigherIsBetter: true,
			Doc: fmt.Sprintf("float32 C = A·B, %d×%d", n, n),
			run: func(c Config) float64 { return gemmGFLOPS(c, n) }})
	}
	ws = append(ws,
		&Workload{Name: "mlp_sgd_samples_per_s", Unit: "samples/s", HigherIsBetter: true,
			Doc: "MLP 784-512-256-10 training step, batch 128, SGD momentum 0.9",
			run: func(c Config) float64 { return trainRate(c, "mlp", "sgd") }},
		&Workload{Name: "mlp_adam_samples_per_s", Unit: "samples/s", HigherIsBetter: true,
			Doc: "same with Adam",
			run: func(c Config) float64 { return trainRate(c, "mlp", "adam") }},
		&Workload{Name: "cnn_adam_samples_per_s", Unit: "samples/s", HigherIsBetter: true,
			Doc: "CNN (2 conv + 2 linear) training step, batch 64, Adam",
			run: func(c Config) float64 { return trainRate(c, "cnn", "adam") }},
		&Workload{Name: "lstm_adam_samples_per_s", Unit: "samples/s", HigherIsBetter: true,
			Doc: "row-MNIST LSTM-128 (SeqNet: 28 steps of 28 inputs, then Linear) training step, batch 128, Adam",
			run: func(c Config) float64 { return trainRate(c, "lstm", "adam") }},
		&Workload{Name: "adam_step_10m_ms", Unit: "ms", Doc: "one Adam step on 10M float32 parameters",
			run: adamStepMS},
		&Workload{Name: "adam_step_10m_gbps", Unit: "GB/s", HigherIsBetter: true,
			Doc:  "its effective memory traffic: 7 arrays × 4 bytes × 10M / time",
			From: "adam_step_10m_ms", derive: func(ms float64) float64 { return AdamBytes / (ms * 1e-3) / 1e9 }},
	)
	for _, d := range ChainDepths {
		ws = append(ws, &Workload{Name: fmt.Sprintf("backward_chain_%d_us_per_op", d), Unit: "us/op",
			Doc: fmt.Sprintf("backward time per op of a chain of %d tanh ops on 64 floats", d),
			run: func(c Config) float64 { return chainBackwardUS(c, d) }})
	}
	return ws
}

// GemmSizes are the square sizes of the GEMM workloads.
var GemmSizes = []int{256, 512, 1024, 2048}

// ChainDepths are the lengths of the backward-chain workloads.
var ChainDepths = []int{10, 100, 1000}

// AdamParams is the parameter count of the Adam-step workload, and
// AdamBytes the bytes one step moves: it reads p, g, m and v and writes p,
// m and v.
const (
	AdamParams = 10_000_000
	AdamBytes  = 7 * 4 * AdamParams
)

// Select returns the workloads whose names start with one of prefixes (all
// of them if prefixes is empty), with the workloads they derive from. It
// returns an error naming the valid workloads if a prefix matches none.
func Select(prefixes []string) ([]*Workload, error) {
	all := Workloads()
	if len(prefixes) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	for _, p := range prefixes {
		found := false
		for _, w := range all {
			if len(w.Name) >= len(p) && w.Name[:len(p)] == p {
				want[w.Name], found = true, true
				if w.From != "" {
					want[w.From] = true
				}
			}
		}
		if !found {
			names := make([]string, len(all))
			for i, w := range all {
				names[i] = w.Name
			}
			return nil, fmt.Errorf("bench: no workload starts with %q; valid: %s", p, strings.Join(names, ", "))
		}
	}
	var ws []*Workload
	for _, w := range all {
		if want[w.Name] {
			ws = append(ws, w)
		}
	}
	return ws, nil
}

// Run measures ws under c, calling progress (if not nil) before each, and
// returns their results in order. Thread settings are restored afterwards.
func Run(ws []*Workload, c Config, progress func(w *Workload)) []Result {
	if c.Threads > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(c.Threads))
		defer kernel.SetThreads(kernel.Threads())
		kernel.SetThreads(c.Threads)
	}
	res := make([]Result, 0, len(ws))
	byName := map[string]float64{}
	for _, w := range ws {
		if progress != nil {
			progress(w)
		}
		var v float64
		if w.derive != nil {
			v = w.derive(byName[w.From])
		} else {
			runtime.GC() // start each workload on a clean heap
			v = w.run(c)
		}
		byName[w.Name] = v
		res = append(res, Result{Workload: w, Value: v})
	}
	return res
}

// Derive computes the derived workloads' values from measured ones (for
// PyTorch's side, whose script reports only what it times); values lacks
// keys it cannot derive.
func Derive(values map[string]float64) {
	for _, w := range Workloads() {
		if from, ok := values[w.From]; ok && w.derive != nil {
			if _, have := values[w.Name]; !have {
				values[w.Name] = w.derive(from)
			}
		}
	}
}

// medianTime returns the median over repeats of the time per call of f,
// each repeat calling it inner times.
func medianTime(repeats, inner int, f func()) time.Duration {
	ts := make([]time.Duration, repeats)
	for r := range ts {
		start := time.Now()
		for range inner {
			f()
		}
		ts[r] = time.Since(start) / time.Duration(inner)
	}
	return median(ts)
}

func median(ts []time.Duration) time.Duration {
	s := slices.Clone(ts)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Ratio is descent's advantage over a reference value of w: above 1 means
// descent is better (faster, or a higher rate), whatever w's unit.
func Ratio(w *Workload, descent, reference float64) float64 {
	if w.HigherIsBetter {
		return descent / reference
	}
	return reference / descent
}
