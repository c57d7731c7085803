package lab_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/lab"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// compareTrainers builds one small MNIST trainer per optimizer, all from
// the same seed; dir, when not empty, is each one's Options.Dir.
func compareTrainers(t *testing.T, opts []string, dir string) []lab.Contestant {
	t.Helper()
	tr, te, err := data.LoadMNIST()
	if err != nil {
		t.Fatal(err)
	}
	trainSet, _ := data.First(tr, 192)
	testSet, _ := data.First(te, 128)
	var cs []lab.Contestant
	for _, name := range opts {
		model, err := models.MLP[float32](tensor.NewRand(7), 784, []int{24}, 10, models.Options{Norm: "batch"})
		if err != nil {
			t.Fatal(err)
		}
		o, err := optim.New(name, model.Parameters(), "")
		if err != nil {
			t.Fatal(err)
		}
		tn, err := train.NewTrainer(model, o, trainSet, testSet, true, 3, train.Options{Epochs: 2, BatchSize: 32, Quiet: true, Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, lab.Contestant{Name: name, LR: "default", Trainer: tn})
	}
	return cs
}

// Side by side, each contestant trains exactly as it does alone: the same
// metrics and the same final weights, bit for bit, however finely the
// turns interleave.
func TestCompareSideBySideEqualsAlone(t *testing.T) {
	opts := []string{"sgd", "adam", "rmsprop"}
	for _, turn := range []float64{0, 0.02} {
		saved := lab.Turn
		lab.Turn = secondsToDuration(turn)
		cs := compareTrainers(t, opts, "")
		results, err := lab.Compare(context.Background(), cs, t.TempDir(), "t", io.Discard)
		lab.Turn = saved
		if err != nil {
			t.Fatal(err)
		}
		for i, alone := range compareTrainers(t, opts, "") {
			if err := alone.Trainer.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			got, want := results[i].History, alone.Trainer.History()
			if len(got) != len(want) {
				t.Fatalf("turn %v, %s: %d epochs side by side, %d alone", turn, opts[i], len(got), len(want))
			}
			for e := range want {
				g, w := got[e], want[e]
				if g.TrainLoss != w.TrainLoss || g.TestLoss != w.TestLoss || g.TestAccuracy != w.TestAccuracy || g.LR != w.LR {
					t.Errorf("turn %v, %s, epoch %d: side by side %+v, alone %+v", turn, opts[i], e+1, g, w)
				}
			}
			ps, pa := cs[i].Trainer.Model.Parameters(), alone.Trainer.Model.Parameters()
			for k := range pa {
				a, b := ps[k].Value.Data(), pa[k].Value.Data()
				for j := range b {
					if a[j] != b[j] {
						t.Fatalf("turn %v, %s: weight %d[%d] is %v side by side, %v alone", turn, opts[i], k, j, a[j], b[j])
					}
				}
			}
			if results[i].Seconds <= 0 {
				t.Errorf("%s: %v seconds", opts[i], results[i].Seconds)
			}
		}
	}
}

// A contestant that fails (here: its run directory is a file) stops the
// comparison with an error naming it, and the others do not hang.
func TestCompareErrorStopsAll(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cs := compareTrainers(t, []string{"sgd", "adam"}, "")
	cs[1].Trainer.Options.Dir = notDir
	_, err := lab.Compare(context.Background(), cs, dir, "t", io.Discard)
	if err == nil || !strings.Contains(err.Error(), "compare: adam:") {
		t.Fatalf("err = %v, want one naming adam", err)
	}
}

func secondsToDuration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
