package train

import (
	"runtime"
	"testing"

	"github.com/descent-ml/descent/autograd"
)

// tapeSink keeps every step's tape and reads every layer output and the
// gradient reaching it, as a statistics recorder does.
type tapeSink struct {
	observed, stepped int
	sum               float64
}

func (s *tapeSink) WantTape(int) bool { return true }
func (s *tapeSink) Observe(st *StepStats) {
	s.observed++
	for i := range st.Tape {
		if out := st.Tape[i].Out; out.Grad != nil {
			s.sum += float64(out.Value.Data()[0]) + float64(out.Grad.Data()[0])
		}
	}
}
func (s *tapeSink) Stepped(*StepStats)                              { s.stepped++ }
func (s *tapeSink) EndEpoch(EpochMetrics, []*autograd.Var[float32]) {}

// TestWarmStepWithStatsAllocatesNothing: keeping the tape for a
// statistics sink (Graph.Retain, then Reset) leaves the warm step
// allocation-free, and the sink sees each step once.
func TestWarmStepWithStatsAllocatesNothing(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	tr := sgdMLPTrainer(t)
	sink := &tapeSink{}
	tr.Stats = sink
	b := tr.loader.Batch(0, 0)
	step := func() {
		if err := tr.step(b.X, b.Labels, b.Index); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		step()
	}
	if n := testing.AllocsPerRun(5, step); n != 0 {
		t.Fatalf("a warm step with a statistics sink allocated %v times", n)
	}
	if sink.observed != 9 || sink.stepped != 9 {
		t.Errorf("sink observed %d and stepped %d steps, want 9", sink.observed, sink.stepped)
	}
	if tr.graph.Retain {
		t.Error("the graph still keeps its tape after the step")
	}
}
