package train_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/descent-ml/descent/safetensors"
	"github.com/descent-ml/descent/train"
)

// rewriteCheckpoint returns the checkpoint ck with its "descent" metadata
// passed through edit as a JSON object.
func rewriteCheckpoint(t *testing.T, ck []byte, edit func(m map[string]any)) []byte {
	t.Helper()
	f, err := safetensors.Read(bytes.NewReader(ck), int64(len(ck)), "valid")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(f.Metadata["descent"]), &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	f.Metadata["descent"] = string(raw)
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, f.Tensors, f.Metadata); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func position(m map[string]any) map[string]any { return m["position"].(map[string]any) }

// TestReadCheckpointRejectsHostile feeds damaged and lying checkpoints to
// the reader: each must be refused with an error naming the file and the
// field or offset at fault.
func TestReadCheckpointRejectsHostile(t *testing.T) {
	valid := validCheckpointT(t)
	if _, err := train.ReadCheckpoint(bytes.NewReader(valid), int64(len(valid)), "ck.safetensors"); err != nil {
		t.Fatalf("the valid checkpoint is refused: %v", err)
	}
	edit := func(f func(m map[string]any)) []byte { return rewriteCheckpoint(t, valid, f) }
	cases := []struct {
		name  string
		file  []byte
		wants []string
	}{
		{"empty", nil, []string{"too short"}},
		{"truncated", valid[:len(valid)/2], []string{"offset"}},
		{"header length beyond the file", append(binary.LittleEndian.AppendUint64(nil, 1<<40), valid[8:100]...), []string{"offset 0", "header length"}},
		{"format 2", edit(func(m map[string]any) { m["format"] = 2 }), []string{"format 2"}},
		{"unknown field", edit(func(m map[string]any) { m["surprise"] = 1 }), []string{"unknown field", "surprise"}},
		{"wrong type", edit(func(m map[string]any) { m["optimizer_tensors"] = "many" }), []string{"optimizer_tensors"}},
		{"epoch 0", edit(func(m map[string]any) { position(m)["Epoch"] = 0 }), []string{"position.Epoch"}},
		{"negative step", edit(func(m map[string]any) { position(m)["Step"] = -3 }), []string{"position.Batch, Step, Seen"}},
		{"more correct than seen", edit(func(m map[string]any) { position(m)["Correct"] = 1e6 }), []string{"position.Correct"}},
		{"negative loss sum", edit(func(m map[string]any) { position(m)["LossSum"] = -1 }), []string{"position.LossSum"}},
		{"history longer than the epochs", edit(func(m map[string]any) {
			m["history"] = []any{map[string]any{"Epoch": 1}, map[string]any{"Epoch": 2}}
		}), []string{"field history"}},
		{"bad rng", edit(func(m map[string]any) { m["rng"] = "AAAA" }), []string{"field rng"}},
		{"rng not base64", edit(func(m map[string]any) { m["rng"] = "%%%" }), []string{"field rng"}},
		{"optimizer scalar", edit(func(m map[string]any) { m["optimizer_scalars"] = map[string]any{"step": "two"} }), []string{"optimizer scalar", "step"}},
		{"tensor count", edit(func(m map[string]any) { m["optimizer_tensors"] = 7 }), []string{"7"}},
		{"not a checkpoint", func() []byte {
			var b bytes.Buffer
			_ = safetensors.Write(&b, nil, map[string]string{"format": "pt"})
			return b.Bytes()
		}(), []string{"not a descent checkpoint"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := train.ReadCheckpoint(bytes.NewReader(c.file), int64(len(c.file)), "ck.safetensors")
			if err == nil {
				t.Fatal("accepted")
			}
			for _, want := range append(c.wants, "ck.safetensors") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q: %v", want, err)
				}
			}
		})
	}
}

// TestReadCheckpointChecksSizesFirst: a 1 KB file whose header declares a
// 100 GB tensor is an error, and reading it allocates nothing near that.
func TestReadCheckpointChecksSizesFirst(t *testing.T) {
	header := `{"model.0.weight":{"dtype":"F32","shape":[25000000000],"data_offsets":[0,100000000000]}}`
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(append(b, header...), make([]byte, 1024-8-len(header))...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := train.ReadCheckpoint(bytes.NewReader(b), int64(len(b)), "lying.safetensors")
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "lying.safetensors") || !strings.Contains(err.Error(), "data_offsets") {
		t.Fatalf("got %v, want an error naming the file and data_offsets", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Fatalf("a 1 KB file made the reader allocate %d bytes", n)
	}
}

// TestReadMetricsCSVErrors: each malformed metrics.csv is refused with the
// line and the field.
func TestReadMetricsCSVErrors(t *testing.T) {
	header := strings.Join(train.MetricsHeader, ",") + "\n"
	cases := []struct{ name, text, want string }{
		{"empty", "", "line 1"},
		{"wrong header", "epoch,loss,test_loss,test_accuracy,lr,seconds\n", "line 1"},
		{"short row", header + "1,0.5,0.4\n", "line 2"},
		{"bad epoch", header + "one,0.5,0.4,0.9,0.1,2\n", "line 2: field epoch"},
		{"bad number", header + "1,0.5,0.4,0.9,0.1,2\n2,0.5,x,0.9,0.1,2\n", "line 3: field test_loss"},
	}
	for _, c := range cases {
		_, err := train.ReadMetricsCSV(strings.NewReader(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "metrics.csv") {
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.want)
		}
	}
	rows := []train.EpochMetrics{{Epoch: 1, TrainLoss: 0.25, TestLoss: 1.0 / 3, TestAccuracy: 0.9, LR: 0.1, Seconds: 2}}
	var buf bytes.Buffer
	if err := train.WriteMetricsCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	got, err := train.ReadMetricsCSV(&buf)
	if err != nil || len(got) != 1 || got[0] != rows[0] {
		t.Fatalf("round trip: %v, %v", got, err)
	}
}

// Example of the stray files an atomic write killed half-way leaves, and
// their removal on resume.
func ExampleRemoveStaleTemp() {
	dir, _ := os.MkdirTemp("", "run")
	defer os.RemoveAll(dir)
	_ = train.WriteFileAtomic(filepath.Join(dir, "metrics.csv"), func(w io.Writer) error {
		_, err := fmt.Fprintln(w, "epoch,train_loss")
		return err
	})
	_ = os.WriteFile(filepath.Join(dir, ".checkpoint.safetensors.tmp-123"), []byte("half a file"), 0o644)
	removed, err := train.RemoveStaleTemp(dir)
	fmt.Println(removed, err)
	// Output: [.checkpoint.safetensors.tmp-123] <nil>
}
