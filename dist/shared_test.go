package dist_test

import (
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/descent-ml/descent/dist"
)

// sharedRanks returns size ranks' views of shared buffers of n floats.
func sharedRanks(t *testing.T, size, n int, timeout time.Duration) []*dist.Shared {
	t.Helper()
	out := make([]*dist.Shared, size)
	errs := onRanks(t, size, true, func(c *dist.FakeShared) error {
		s, err := c.SharedFloats(n)
		s.Timeout = timeout
		out[c.Rank()] = s
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// Sum leaves on every rank the rank-order float32 sum of all ranks'
// buffers, bit for bit, over lengths around the chunk size and parts of
// unequal lengths, call after call.
func TestSharedSum(t *testing.T) {
	for _, size := range []int{2, 3, 5} {
		for _, n := range []int{0, 1, 7, 4095, 4096, 4097, 3*4096 + 5, 20011} {
			ranks := sharedRanks(t, size, n, 5*time.Second)
			for call := range 3 {
				want := fill(ranks, func(i, r int) float32 {
					return float32(math.Sin(float64(1+i*7+r*13+call))) * float32(math.Pow(10, float64((i+r)%7-3)))
				})
				sumOnRanks(t, ranks, want, func(_ int, s *dist.Shared) error { return s.Sum() })
			}
		}
	}
}

// A rank that never comes makes the others' Sum fail after the timeout
// instead of waiting for ever.
func TestSharedSumTimeout(t *testing.T) {
	ranks := sharedRanks(t, 2, 10, 100*time.Millisecond)
	start := time.Now()
	err := ranks[0].Sum()
	if !errors.Is(err, dist.ErrAborted) {
		t.Fatalf("Sum without the other rank: %v, want ErrAborted", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Sum gave up after %v, timeout 100ms", d)
	}
}

// A warm Sum allocates nothing.
func TestSharedSumAllocations(t *testing.T) {
	ranks := sharedRanks(t, 2, 10000, 5*time.Second)
	const runs = 50
	done := make(chan error)
	go func() {
		for range runs + 2 { // AllocsPerRun's warm-up call, then runs, plus the test's own
			if err := ranks[1].Sum(); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	if err := ranks[0].Sum(); err != nil {
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(runs, func() {
		if err := ranks[0].Sum(); err != nil {
			t.Fatal(err)
		}
	})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("a warm Sum allocates %v times, want 0", n)
	}
}

// Ranges declared ready one by one, by ranks that run at different
// speeds, are summed as they come (some during Ready, the rest in Finish)
// to the same bits as one Sum of the whole buffer.
func TestSharedRanges(t *testing.T) {
	bounds := []int{0, 5, 5, 4200, 4300, 9000, 9001, 12000}
	for _, size := range []int{2, 3} {
		ranks := sharedRanks(t, size, bounds[len(bounds)-1], 5*time.Second)
		for call := range 3 {
			want := fill(ranks, func(i, r int) float32 {
				return float32(math.Cos(float64(i*3+r*17+call))) * float32(math.Pow(10, float64((i*r)%5-2)))
			})
			sumOnRanks(t, ranks, want, func(r int, s *dist.Shared) error {
				s.Begin()
				for k := 1; k < len(bounds); k++ {
					if (r+k+call)%3 == 0 {
						time.Sleep(time.Millisecond) // let the others run ahead
					}
					s.Ready(bounds[k-1], bounds[k])
				}
				return s.Finish()
			})
		}
	}
}

// fill sets every rank's buffer to values whose sum depends on the order
// of the additions (f(i, r) for element i of rank r) and returns their sum
// in rank order.
func fill(ranks []*dist.Shared, f func(i, r int) float32) []float32 {
	want := make([]float32, len(ranks[0].Floats()))
	for r, s := range ranks {
		for i := range s.Floats() {
			v := f(i, r)
			s.Floats()[i] = v
			if r == 0 {
				want[i] = v
			} else {
				want[i] += v
			}
		}
	}
	return want
}

// sumOnRanks runs sum on every rank at once and checks that every buffer
// then holds want, bit for bit.
func sumOnRanks(t *testing.T, ranks []*dist.Shared, want []float32, sum func(r int, s *dist.Shared) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(ranks))
	for r, s := range ranks {
		wg.Go(func() { errs[r] = sum(r, s) })
	}
	wg.Wait()
	for r, s := range ranks {
		if errs[r] != nil {
			t.Fatalf("%d ranks: rank %d: %v", len(ranks), r, errs[r])
		}
		for i, v := range s.Floats() {
			if math.Float32bits(v) != math.Float32bits(want[i]) {
				t.Fatalf("%d ranks: rank %d [%d] = %v, want %v", len(ranks), r, i, v, want[i])
			}
		}
	}
}
