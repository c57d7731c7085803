package train

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// MemoryEstimate is what a training run will hold in memory, in bytes,
// estimated before the run allocates its optimizer state and the buffers
// of its steps.
type MemoryEstimate struct {
	Parameters  int64 // the parameters' values and gradients
	Optimizer   int64 // the optimizer's per-parameter buffers (momentum, moments, slow weights)
	Activations int64 // the intermediate results of a training step at the batch size, and of evaluation
	Data        int64 // the batch tensors the loaders fill
	Batch       int   // the examples per training step the estimate is for
	// PerExample is the memory one more example in the training batch
	// costs: its activations (forward values, their gradients and what
	// the backward pass keeps) and its input.
	PerExample int64
}

// Total returns the estimate's sum.
func (e MemoryEstimate) Total() int64 { return e.Parameters + e.Optimizer + e.Activations + e.Data }

// trainFactor is how many times the memory of a forward pass without
// gradients a training step holds per example: the forward values, a
// gradient of the same size for each, and what the backward pass keeps
// (masks, argmax indices, unfolded convolution inputs). Measured peak
// resident memory of descent train stays within this bound (see
// TestMemoryEstimateBounds).
const trainFactor = 3

// EstimateMemory estimates the memory of training model on examples of
// shape example (flat: the model takes them flattened, as an MLP does) in
// batches of batch, evaluating in batches of evalBatch, with an optimizer
// that keeps stateBuffers tensors the size of each parameter (SGD with
// momentum 1, Adam 2, Adam with amsgrad 3, and one more under Lookahead).
//
// The activations are measured, not modelled: the model runs forward, in
// evaluation mode and without recording, on one example and on a few, and
// what the second run allocated beyond the first is the cost of the
// extra examples (both are run once before, so that buffers allocated on
// first use only are not counted). So every layer counts, whatever its kind, and the model
// is left as it was (no running statistics move, no random number is
// drawn, no gradient is touched). A training step holds trainFactor times
// that per example; evaluation, which records nothing, holds it once.
func EstimateMemory(model nn.Module[float32], example []int, flat bool, batch, evalBatch, stateBuffers int) MemoryEstimate {
	var params int64
	for _, p := range model.Parameters() {
		params += int64(p.Value.Len())
	}
	features := int64(1)
	for _, d := range example {
		features *= int64(d)
	}
	in := append([]int(nil), example...)
	if flat {
		in = []int{int(features)}
	}
	// The first runs allocate what later ones reuse (the kernels' packing
	// buffers, worker pools): they are made once, then measured.
	const few = 8
	forwardBytes(model, in, 1)
	forwardBytes(model, in, 1+few)
	fwd := (forwardBytes(model, in, 1+few) - forwardBytes(model, in, 1)) / few
	fwd = max(fwd, 4) // at least the logits
	e := MemoryEstimate{Batch: batch,
		Parameters: 2 * 4 * params, Optimizer: int64(stateBuffers) * 4 * params}
	e.PerExample = mulSat(trainFactor, fwd) + 4*features + 8
	e.Activations = addSat(mulSat(int64(batch), mulSat(trainFactor, fwd)), mulSat(int64(evalBatch), fwd))
	e.Data = mulSat(int64(batch+evalBatch), 4*features+8)
	return e
}

// forwardBytes returns the bytes the Go runtime allocated while model ran
// forward, without recording, on n zero examples of shape in.
func forwardBytes(model nn.Module[float32], in []int, n int) int64 {
	g := autograd.New[float32]()
	x := autograd.NewConstant(tensor.New[float32](append([]int{n}, in...)...))
	nn.SetTraining(model, false)
	defer nn.SetTraining(model, true)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	g.NoGrad(func() { model.Forward(g, x) })
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc)
}

func mulSat(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}

func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// Check returns an error when the estimate exceeds available bytes. The
// error gives the estimate, its parts, and the largest batch that would
// fit (or says that none does).
func (e MemoryEstimate) Check(available int64) error {
	if e.Total() <= available {
		return nil
	}
	fixed := e.Total() - mulSat(int64(e.Batch), e.PerExample)
	advice := "no batch fits: the parameters and optimizer state alone are too large; use a smaller model"
	if fits := (available - fixed) / max(e.PerExample, 1); fits >= 1 && available > fixed {
		advice = fmt.Sprintf("a batch of at most %d fits", fits)
	}
	return fmt.Errorf("train: the run needs about %s (parameters %s, optimizer state %s, activations and data of a batch of %d %s) but %s is available; %s",
		FormatBytes(e.Total()), FormatBytes(e.Parameters), FormatBytes(e.Optimizer), e.Batch,
		FormatBytes(e.Activations+e.Data), FormatBytes(available), advice)
}

// FormatBytes spells a size in GB, MB or kB (powers of 1000, one decimal).
func FormatBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f kB", float64(n)/1e3)
}

// AvailableMemory returns the bytes this process can still allocate, as
// well as the system says: the least of MemAvailable in /proc/meminfo
// (Linux), the room left under the cgroup's memory.max (containers), and
// the Go memory limit (GOMEMLIMIT) less what the heap holds. ok is false
// where none of these is known (other systems, no limit set): then there
// is nothing to check against.
func AvailableMemory() (avail int64, ok bool) {
	avail = math.MaxInt64
	if kb, found := meminfo("MemAvailable"); found {
		avail, ok = kb*1024, true
	}
	if max, err := readInt("/sys/fs/cgroup/memory.max"); err == nil {
		if cur, err := readInt("/sys/fs/cgroup/memory.current"); err == nil && max > cur {
			avail, ok = min(avail, max-cur), true
		}
	}
	if limit := debug.SetMemoryLimit(-1); limit < math.MaxInt64 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		avail, ok = min(avail, limit-int64(ms.HeapAlloc)), true
	}
	return avail, ok
}

// meminfo returns a field of /proc/meminfo, in kB.
func meminfo(field string) (int64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, found := strings.Cut(sc.Text(), ":")
		if !found || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		return kb, err == nil
	}
	return 0, false
}

// readInt reads a file holding one integer ("max" is not one).
func readInt(path string) (int64, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
}
