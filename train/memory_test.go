package train_test

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// TestMemoryEstimateBounds trains one epoch of one step and compares what
// the heap then holds beyond the model with EstimateMemory's figure: the
// estimate must not be below the measurement, nor far above it.
func TestMemoryEstimateBounds(t *testing.T) {
	trainSet, testSet, err := data.LoadMNIST()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		model string
		batch int
	}{{"mlp", 2000}, {"cnn", 200}} {
		ds, _ := data.First(trainSet, c.batch)
		ts, _ := data.First(testSet, 500)
		m, err := models.New[float32](c.model, tensor.NewRand(1), models.Options{})
		if err != nil {
			t.Fatal(err)
		}
		flat := c.model == "mlp"
		est := train.EstimateMemory(m, ds.Shape(), flat, c.batch, 500, 2)
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		opt, _ := optim.NewAdam(m.Parameters(), optim.AdamDefaults())
		tr, err := train.NewTrainer(m, opt, ds, ts, flat, 1, train.Options{BatchSize: c.batch})
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(tr)
		measured := int64(after.HeapAlloc) - int64(before.HeapAlloc)
		estimated := est.Total() - est.Parameters
		t.Logf("%s batch %d: heap grew by %s, estimate %s (activations %s, optimizer %s, data %s)", c.model, c.batch,
			train.FormatBytes(measured), train.FormatBytes(estimated), train.FormatBytes(est.Activations),
			train.FormatBytes(est.Optimizer), train.FormatBytes(est.Data))
		if estimated < measured || estimated > 3*measured {
			t.Errorf("%s batch %d: estimate %d bytes, measured %d: want measured <= estimate <= 3 x measured", c.model, c.batch, estimated, measured)
		}
	}
}

// TestMemoryCheck: the error gives the estimate and the largest batch
// that fits, or says that none does.
func TestMemoryCheck(t *testing.T) {
	e := train.MemoryEstimate{Parameters: 100, Optimizer: 100, Activations: 1000, Data: 0, Batch: 100, PerExample: 10}
	for _, c := range []struct {
		avail int64
		want  string
	}{{1200, ""}, {700, "a batch of at most 50 fits"}, {150, "no batch fits"}} {
		err := e.Check(c.avail)
		if (err == nil) != (c.want == "") || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("available %d: got %v, want %q", c.avail, err, c.want)
		}
	}
	if runtime.GOOS == "linux" {
		if avail, ok := train.AvailableMemory(); !ok || avail <= 0 {
			t.Errorf("AvailableMemory on Linux: %d, %v", avail, ok)
		}
	}
}
