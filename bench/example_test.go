package bench_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/descent-ml/descent/bench"
)

// The median of a round's values ignores the one a busy machine spoiled.
func ExampleMedian() {
	fmt.Println(bench.Median([]float64{7.5, 2.5, 9.5}), bench.Median([]float64{1, 2, 3, 40}))
	// Output: 7.5 2.5
}

// A row measured against PyTorch, as `descent bench --vs-pytorch --markdown`
// prints it (the first line names the Go version, the kernel and the CPUs).
func ExampleWriteTable() {
	torch, ratio := 50.0, 2.0
	rows := []bench.Row{{Workload: "gemm_256_gflops", Unit: "GFLOP/s", Threads: 2, Descent: 100, PyTorch: &torch, Ratio: &ratio}}
	var b strings.Builder
	bench.WriteTable(&b, rows, bench.Config{Repeats: 3}, 1, true, true)
	_, table, _ := strings.Cut(b.String(), "\n")
	os.Stdout.WriteString(table)
	// Output:
	// | workload | unit | threads | descent | PyTorch | ratio |
	// |---|---|---|---|---|---|
	// | gemm_256_gflops | GFLOP/s | 2 | 100.0 | 50.00 | 2.00x |
	// ratio: descent's advantage (rates: descent/PyTorch; times: PyTorch/descent); above 1 descent is faster
}
