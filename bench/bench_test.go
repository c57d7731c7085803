package bench

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/descent-ml/descent/internal/kernel"
)

// TestWorkloadsRunAtToySize runs every workload once at a tiny size: each
// must produce a finite, positive value (zero is allowed for the backward
// chains, whose value is a difference of two times).
func TestWorkloadsRunAtToySize(t *testing.T) {
	res := Run(Workloads(), Config{Toy: true}, nil)
	if len(res) != len(Workloads()) {
		t.Fatalf("%d results for %d workloads", len(res), len(Workloads()))
	}
	for _, r := range res {
		v := r.Value
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || (v == 0 && !strings.HasPrefix(r.Workload.Name, "backward_chain")) {
			t.Errorf("%s = %v", r.Workload.Name, v)
		}
	}
}

func TestSelect(t *testing.T) {
	for _, c := range []struct {
		prefixes []string
		want     string // names joined by spaces; "" for an error
	}{
		{[]string{"gemm_1024"}, "gemm_1024_gflops"},
		{[]string{"mlp"}, "mlp_sgd_samples_per_s mlp_adam_samples_per_s"},
		{[]string{"adam_step_10m_gbps"}, "adam_step_10m_ms adam_step_10m_gbps"},
		{[]string{"backward_chain_1", "cnn"}, "cnn_adam_samples_per_s backward_chain_10_us_per_op backward_chain_100_us_per_op backward_chain_1000_us_per_op"},
		{[]string{"nope"}, ""},
	} {
		ws, err := Select(c.prefixes)
		if c.want == "" {
			if err == nil || !strings.Contains(err.Error(), "gemm_256_gflops") {
				t.Errorf("Select(%v): error %v, want one listing the workloads", c.prefixes, err)
			}
			continue
		}
		var names []string
		for _, w := range ws {
			names = append(names, w.Name)
		}
		if got := strings.Join(names, " "); err != nil || got != c.want {
			t.Errorf("Select(%v) = %q, %v; want %q", c.prefixes, got, err, c.want)
		}
	}
}

func TestParsePyTorch(t *testing.T) {
	vals, err := ParsePyTorch([]byte(`{"threads": 2, "torch": "1.13.1", "gemm_256_gflops": 120.5, "adam_step_10m_ms": 28}` + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"gemm_256_gflops": 120.5, "adam_step_10m_ms": 28, "adam_step_10m_gbps": AdamBytes / 0.028 / 1e9}
	if len(vals) != len(want) {
		t.Fatalf("got %v, want %v", vals, want)
	}
	for k, v := range want {
		if math.Abs(vals[k]-v) > 1e-9*v {
			t.Errorf("%s = %v, want %v", k, vals[k], v)
		}
	}
	if _, err := ParsePyTorch([]byte("Traceback ...")); err == nil {
		t.Error("no error for output that is not JSON")
	}
}

func TestRatio(t *testing.T) {
	rate := &Workload{HigherIsBetter: true}
	time := &Workload{}
	for _, c := range []struct {
		w                  *Workload
		descent, reference float64
		want               float64
	}{
		{rate, 300, 100, 3},
		{rate, 50, 100, 0.5},
		{time, 5, 20, 4}, // 5 ms against 20 ms: 4x faster
		{time, 40, 20, 0.5},
	} {
		if got := Ratio(c.w, c.descent, c.reference); got != c.want {
			t.Errorf("Ratio(higher=%v, %v, %v) = %v, want %v", c.w.HigherIsBetter, c.descent, c.reference, got, c.want)
		}
	}
}

func BenchmarkGemm(b *testing.B) {
	for _, n := range GemmSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			a, bb, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
			for i := range a {
				a[i], bb[i] = float32(i%7)-3, float32(i%5)-2
			}
			for b.Loop() {
				kernel.Gemm(false, false, n, n, n, 1, a, n, bb, n, 0, c, n)
			}
			b.ReportMetric(2*float64(n*n*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func benchTrain(b *testing.B, model, opt string, batch int) {
	t, err := NewTrainer(model, opt, batch, false)
	if err != nil {
		b.Fatal(err)
	}
	for range 3 {
		t.Step()
	}
	b.ReportAllocs()
	for b.Loop() {
		t.Step()
	}
	b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkMLPSGD(b *testing.B)   { benchTrain(b, "mlp", "sgd", 128) }
func BenchmarkMLPAdam(b *testing.B)  { benchTrain(b, "mlp", "adam", 128) }
func BenchmarkCNNAdam(b *testing.B)  { benchTrain(b, "cnn", "adam", 64) }
func BenchmarkLSTMAdam(b *testing.B) { benchTrain(b, "lstm", "adam", 128) }

func BenchmarkAdamStep10M(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		ms := adamStepMS(Config{Repeats: 1})
		b.StartTimer()
		b.ReportMetric(ms, "ms/step")
	}
}

func BenchmarkBackwardChain(b *testing.B) {
	for _, d := range ChainDepths {
		b.Run(strconv.Itoa(d), func(b *testing.B) {
			var us float64
			for b.Loop() {
				us = chainBackwardUS(Config{Repeats: 1}, d)
			}
			b.ReportMetric(us, "us/op")
		})
	}
}
