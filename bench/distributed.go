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
func DistributedImages(batch, steps, rounds int) int { return batch * steps * (2*rounds + 3) }

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
// link carries in a ring all-reduce, comparable across N.
func allReduceTimes(w io.Writer, comm dist.Communicator) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "all-reduce bytes\ttime_us\talgbw_GB/s\tbusbw_GB/s\t")
	n := float64(comm.Size())
	for bytes := 4 << 10; bytes <= 16<<20; bytes *= 4 {
		buf := make([]float32, bytes/4)
		reps := max(5, min(200, (64<<20)/bytes))
		times := make([]float64, 0, reps)
		for i := -2; i < reps; i++ {
			if err := comm.Barrier(); err != nil {
				return err
			}
			start := time.Now()
			if err := comm.AllReduce(buf, dist.Sum); err != nil {
				return err
			}
			if i >= 0 {
				times = append(times, time.Since(start).Seconds())
			}
		}
		// Every rank must agree on the time: take the slowest rank's median.
		t := []float32{float32(Median(times))}
		if err := maxAcross(comm, t); err != nil {
			return err
		}
		sec := float64(t[0])
		fmt.Fprintf(tw, "%d\t%.1f\t%.3f\t%.3f\t\n", bytes, sec*1e6, float64(bytes)/sec/1e9, 2*(n-1)/n*float64(bytes)/sec/1e9)
	}
	return tw.Flush()
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
	// Rounds alternate 1 MB buckets, reduced during backward, with one
	// bucket reduced after it: the overlap's worth, measured under the same
	// load. Regrouping reuses the buckets' buffer.
	var times, oneBucket []float64
	for round := -1; round < s.Rounds; round++ { // one warm-up round
		for _, one := range []bool{false, true} {
			if one && comm.Size() == 1 {
				continue
			}
			t.SetBucketBytes(map[bool]int{false: 0, true: 1 << 40}[one])
			t.Options.StopAfterSteps = s.Steps
			start := time.Now()
			err := t.Run(context.Background())
			if err == nil {
				return fmt.Errorf("bench: the training images ran out (%d images, one epoch): use fewer --steps or --rounds", t.Train.Len())
			} else if !errors.Is(err, train.ErrInterrupted) {
				return fmt.Errorf("bench: training: %v", err)
			}
			if round >= 0 && one {
				oneBucket = append(oneBucket, time.Since(start).Seconds()/float64(s.Steps))
			} else if round >= 0 {
				times = append(times, time.Since(start).Seconds()/float64(s.Steps))
			}
		}
	}
	t.SetBucketBytes(0)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms) // a warm step allocates nothing: the heap now is its peak
	all := make([]float32, 4*comm.Size())
	all[4*comm.Rank()] = float32(Median(times))
	all[4*comm.Rank()+1] = float32(peakRSS())
	all[4*comm.Rank()+2] = float32(ms.HeapInuse)
	if len(oneBucket) > 0 {
		all[4*comm.Rank()+3] = float32(Median(oneBucket))
	}
	if err := comm.AllReduce(all, dist.Sum); err != nil {
		return err
	}
	params := 0
	for _, p := range t.Model.Parameters() {
		params += p.Value.Len()
	}
	fmt.Fprintf(w, "training step: %s (%d parameters, %.2f MB of gradients), global batch %d (%d per rank), median of %d rounds of %d steps\n",
		s.Model, params, float64(4*params)/1e6, s.Batch, s.Batch/comm.Size(), s.Rounds, s.Steps)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rank\tstep_ms\tpeak_rss_MiB\tgo_heap_MiB\tstep_ms_one_bucket_after_backward\t")
	for r := range comm.Size() {
		fmt.Fprintf(tw, "%d\t%.2f\t%.1f\t%.1f\t%.2f\t\n", r, 1e3*all[4*r], all[4*r+1]/(1<<20), all[4*r+2]/(1<<20), 1e3*all[4*r+3])
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
