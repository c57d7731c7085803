package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/descent-ml/descent/dist"
	"github.com/descent-ml/descent/internal/kernel"
	"github.com/descent-ml/descent/train"
)

// DistributedSteps is the training step that Distributed times: Trainer,
// already given the job's communicator (train.Trainer.SetCommunicator),
// trains for Rounds rounds of Steps steps on its share of every global
// batch of Batch examples. Model describes the model in the header.
type DistributedSteps struct {
	Trainer              *train.Trainer
	Model                string
	Batch, Steps, Rounds int
}

// DistributedImages is the number of training images that Distributed
// needs for a batch, steps and rounds, all in one epoch, so that no
// evaluation falls in the timed steps.
func DistributedImages(batch, steps, rounds int) int { return batch * steps * (3*(rounds+1) + 1) }

// Distributed is `descent bench --distributed`, for every rank of comm (a
// nil comm is one process: the single-process figure): the all-reduce's
// time and bandwidth by message size, then the training step time, the
// peak memory and the Go heap of every rank. w is rank 0's alone.
func Distributed(w io.Writer, comm dist.Communicator, s DistributedSteps) error {
	if comm == nil {
		comm = dist.NewFake(1, 0)[0] // one process: no messages
	}
	fmt.Fprintf(w, "descent bench --distributed: %d rank(s), %d thread(s) each, GEMM kernel %s, %s\n",
		comm.Size(), kernel.Threads(), kernel.GemmKernel(), runtime.Version())
	// The steps run first, so that the peak memory they report does not
	// hold the all-reduce benchmark's buffers; their table comes last.
	var steps bytes.Buffer
	if err := s.run(&steps, comm); err != nil {
		return err
	}
	if comm.Size() > 1 {
		if err := allReduceTimes(w, comm); err != nil {
			return err
		}
	}
	_, err := steps.WriteTo(w)
	return err
}

// allReduceTimes times the sum all-reduce of float32s from 4 KiB to 16
// MiB. busbw is NCCL's bus bandwidth, 2(N-1)/N * bytes / time: what each
// link carries in a ring all-reduce, comparable across N. Where the ranks
// share memory, the in-place sum that training then uses instead
// (dist.Shared) is timed beside it.
func allReduceTimes(w io.Writer, comm dist.Communicator) error {
	const largest = 16 << 20
	var shared *dist.Shared
	if sm, ok := comm.(dist.SharedMemory); ok {
		var err error
		if shared, err = sm.SharedFloats(largest / 4); err != nil {
			return err
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "all-reduce bytes\ttime_us\talgbw_GB/s\tbusbw_GB/s\t")
	if shared != nil {
		fmt.Fprint(tw, "in_place_time_us\tin_place_busbw_GB/s\t")
	}
	fmt.Fprintln(tw)
	n := float64(comm.Size())
	for bytes := 4 << 10; bytes <= largest; bytes *= 4 {
		buf := make([]float32, bytes/4)
		sec, err := collectiveTime(comm, bytes, func() error { return comm.AllReduce(buf, dist.Sum) })
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%d\t%.1f\t%.3f\t%.3f\t", bytes, sec*1e6, float64(bytes)/sec/1e9, 2*(n-1)/n*float64(bytes)/sec/1e9)
		if shared != nil {
			sec, err := collectiveTime(comm, bytes, func() error {
				shared.Begin()
				shared.Ready(0, bytes/4)
				return shared.Finish()
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(tw, "%.1f\t%.3f\t", sec*1e6, 2*(n-1)/n*float64(bytes)/sec/1e9)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// collectiveTime returns the slowest rank's median time of reduce, a
// collective on bytes, repeated after a barrier each time.
func collectiveTime(comm dist.Communicator, bytes int, reduce func() error) (float64, error) {
	reps := max(5, min(200, (64<<20)/bytes))
	times := make([]float64, 0, reps)
	for i := -2; i < reps; i++ {
		if err := comm.Barrier(); err != nil {
			return 0, err
		}
		start := time.Now()
		if err := reduce(); err != nil {
			return 0, err
		}
		if i >= 0 {
			times = append(times, time.Since(start).Seconds())
		}
	}
	// Every rank must agree on the time: take the slowest rank's median.
	t := []float32{float32(Median(times))}
	if err := maxAcross(comm, t); err != nil {
		return 0, err
	}
	return float64(t[0]), nil
}

// maxAcross replaces x by its maximum over the ranks (an all-reduce of a
// vector holding each rank's value in its own slot).
func maxAcross(comm dist.Communicator, x []float32) error {
	all := make([]float32, len(x)*comm.Size())
	copy(all[comm.Rank()*len(x):], x)
	if err := comm.AllReduce(all, dist.Sum); err != nil {
		return err
	}
	for r := range comm.Size() {
		for i := range x {
			x[i] = max(x[i], all[r*len(x)+i])
		}
	}
	return nil
}

// run trains for the rounds and prints every rank's median step time, its
// peak resident memory (which includes the MPI library and its
// shared-memory segments) and its Go heap (the model, its gradients, the
// activations and the all-reduce buckets).
func (s DistributedSteps) run(w io.Writer, comm dist.Communicator) error {
	t := s.Trainer
	t.Options.Out = nil
	// Rounds alternate the ways of summing the gradients, measured under
	// the same load: the default (in place in shared memory when the ranks
	// share a machine, else all-reduces of 1 MB buckets during backward),
	// then, where the ranks share memory, the all-reduced buckets, and one
	// bucket all-reduced after backward (the overlap's worth). Regrouping
	// reuses the buckets' buffer.
	type mode struct {
		inPlace     bool
		bucketBytes int
	}
	modes := []mode{{true, 0}}
	if comm.Size() > 1 {
		if t.SetSharedSum(true) {
			modes = append(modes, mode{false, 0})
		}
		modes = append(modes, mode{false, 1 << 40})
	}
	times := make([][]float64, len(modes))
	for round := -1; round < s.Rounds; round++ { // one warm-up round
		for i, m := range modes {
			t.SetSharedSum(m.inPlace)
			t.SetBucketBytes(m.bucketBytes)
			t.Options.StopAfterSteps = s.Steps
			start := time.Now()
			err := t.Run(context.Background())
			if err == nil {
				return fmt.Errorf("bench: the training images ran out (%d images, one epoch): use fewer --steps or --rounds", t.Train.Len())
			} else if !errors.Is(err, train.ErrInterrupted) {
				return fmt.Errorf("bench: training: %v", err)
			}
			if round >= 0 {
				times[i] = append(times[i], time.Since(start).Seconds()/float64(s.Steps))
			}
		}
	}
	inPlace := t.SetSharedSum(true)
	t.SetBucketBytes(0)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms) // a warm step allocates nothing: the heap now is its peak
	const cols = 5
	all := make([]float32, cols*comm.Size())
	mine := all[cols*comm.Rank():]
	mine[0] = float32(Median(times[0]))
	mine[1] = float32(peakRSS())
	mine[2] = float32(ms.HeapInuse)
	if len(modes) > 1 {
		mine[3] = float32(Median(times[len(modes)-1])) // one bucket after backward
	}
	if len(modes) > 2 {
		mine[4] = float32(Median(times[1])) // all-reduced buckets during backward
	}
	if err := comm.AllReduce(all, dist.Sum); err != nil {
		return err
	}
	params := 0
	for _, p := range t.Model.Parameters() {
		params += p.Value.Len()
	}
	how := "all-reduced in 1 MB buckets during backward"
	if inPlace {
		how = "summed in place in memory the ranks share"
	}
	fmt.Fprintf(w, "training step: %s (%d parameters, %.2f MB of gradients), global batch %d (%d per rank), median of %d rounds of %d steps; gradients %s\n",
		s.Model, params, float64(4*params)/1e6, s.Batch, s.Batch/comm.Size(), s.Rounds, s.Steps, how)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "rank\tstep_ms\tpeak_rss_MiB\tgo_heap_MiB\tstep_ms_one_bucket_after_backward\t")
	if inPlace {
		fmt.Fprint(tw, "step_ms_allreduce_buckets\t")
	}
	fmt.Fprintln(tw)
	for r := range comm.Size() {
		v := all[cols*r:]
		fmt.Fprintf(tw, "%d\t%.2f\t%.1f\t%.1f\t%.2f\t", r, 1e3*v[0], v[1]/(1<<20), v[2]/(1<<20), 1e3*v[3])
		if inPlace {
			fmt.Fprintf(tw, "%.2f\t", 1e3*v[4])
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// peakRSS returns the process's peak resident set size in bytes (VmHWM in
// /proc/self/status), 0 where that is not available.
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb * 1024
		}
	}
	return 0
}
