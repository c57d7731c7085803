package train

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/schedule"
	"github.com/descent-ml/descent/safetensors"
	"github.com/descent-ml/descent/tensor"
)

// CheckpointFile is the checkpoint's name inside a run directory.
const CheckpointFile = "checkpoint.safetensors"

// checkpointFormat is the version of the checkpoint layout.
const checkpointFormat = 1

// A checkpoint is a safetensors file: the model's weights as
// "model.<name>", the optimizer's state tensors as "optim.<key>" (all
// float32, exact), and in the header's metadata under "descent" a JSON
// document with everything else: the position in the run, the optimizer's
// scalars, the layers' random state, the plateau schedule and the metrics
// so far. One file, written atomically, so it is always whole.
type checkpointMeta struct {
	Format        int                    `json:"format"`
	Position      Position               `json:"position"`
	Optimizer     string                 `json:"optimizer"`
	OptimScalars  map[string]string      `json:"optimizer_scalars"` // strconv 'g' -1: exact, NaN and ±Inf spelled out
	RNG           string                 `json:"rng"`               // base64 of the PCG state
	Plateau       *schedule.PlateauState `json:"plateau,omitempty"`
	History       []EpochMetrics         `json:"history"`
	OptimTensorsN int                    `json:"optimizer_tensors"`
}

// Checkpoint is a loaded checkpoint, ready to restore into a Trainer.
type Checkpoint struct {
	Path  string
	meta  checkpointMeta
	model []nn.NamedTensor[float32]
	optim *optim.State[float32]
}

// Position returns where the checkpointed run stood.
func (c *Checkpoint) Position() Position { return c.meta.Position }

// checkpoint writes the run's state to Dir atomically.
func (t *Trainer) checkpoint() error {
	if t.Options.Dir == "" {
		return nil
	}
	st := t.Optimizer.State()
	rngState, err := t.RNG.MarshalBinary()
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	meta := checkpointMeta{Format: checkpointFormat, Position: t.pos, Optimizer: st.Optimizer,
		OptimScalars: map[string]string{}, RNG: base64.StdEncoding.EncodeToString(rngState),
		History: t.history, OptimTensorsN: len(st.Tensors)}
	if meta.History == nil {
		meta.History = []EpochMetrics{}
	}
	for k, v := range st.Scalars {
		meta.OptimScalars[k] = f64(v)
	}
	if t.Plateau != nil {
		ps := t.Plateau.State
		meta.Plateau = &ps
	}
	raw, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	var tensors []safetensors.Tensor
	for _, p := range t.params {
		tensors = append(tensors, safetensors.Encode("model."+p.Name, p.Value))
	}
	keys := make([]string, 0, len(st.Tensors))
	for k := range st.Tensors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		tensors = append(tensors, safetensors.Encode("optim."+k, st.Tensors[k]))
	}
	path := filepath.Join(t.Options.Dir, CheckpointFile)
	return writeFileAtomic(path, func(w io.Writer) error {
		return safetensors.Write(w, tensors, map[string]string{"descent": string(raw), "format": "descent-checkpoint"})
	})
}

// LoadCheckpoint reads a checkpoint written by a Trainer.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseCheckpoint(f, path)
}

// ReadCheckpoint reads a checkpoint of size bytes from r; name is used in
// errors.
func ReadCheckpoint(r io.ReaderAt, size int64, name string) (*Checkpoint, error) {
	f, err := safetensors.Read(r, size, name)
	if err != nil {
		return nil, err
	}
	return parseCheckpoint(f, name)
}

func parseCheckpoint(f *safetensors.File, path string) (*Checkpoint, error) {
	raw, ok := f.Metadata["descent"]
	if !ok {
		return nil, fmt.Errorf("%s: not a descent checkpoint (no \"descent\" metadata)", path)
	}
	var meta checkpointMeta
	if err := json.Unmarshal([]byte(raw), &meta); err != nil {
		return nil, fmt.Errorf("%s: checkpoint metadata: %v", path, err)
	}
	if meta.Format != checkpointFormat {
		return nil, fmt.Errorf("%s: checkpoint format %d, this descent reads %d", path, meta.Format, checkpointFormat)
	}
	c := &Checkpoint{Path: path, meta: meta,
		optim: &optim.State[float32]{Optimizer: meta.Optimizer, Scalars: map[string]float64{}, Tensors: map[string]*tensor.Tensor[float32]{}}}
	for k, v := range meta.OptimScalars {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: checkpoint metadata: optimizer scalar %q: %v", path, k, err)
		}
		c.optim.Scalars[k] = x
	}
	for i := range f.Tensors {
		ts := &f.Tensors[i]
		x, err := safetensors.Decode[float32](ts)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		switch {
		case strings.HasPrefix(ts.Name, "model."):
			c.model = append(c.model, nn.NamedTensor[float32]{Name: strings.TrimPrefix(ts.Name, "model."), Tensor: x})
		case strings.HasPrefix(ts.Name, "optim."):
			c.optim.Tensors[strings.TrimPrefix(ts.Name, "optim.")] = x
		default:
			return nil, fmt.Errorf("%s: unexpected tensor %q in a checkpoint", path, ts.Name)
		}
	}
	if len(c.optim.Tensors) != meta.OptimTensorsN {
		return nil, fmt.Errorf("%s: checkpoint holds %d optimizer tensors, its metadata says %d", path, len(c.optim.Tensors), meta.OptimTensorsN)
	}
	return c, nil
}

// Restore puts the trainer in the checkpoint's state: weights, optimizer,
// position, random state, plateau schedule and metrics history.
func (t *Trainer) Restore(c *Checkpoint) error {
	if err := nn.LoadStateDict(t.Model, c.model, true); err != nil {
		return fmt.Errorf("%s: %w", c.Path, err)
	}
	if err := t.Optimizer.LoadState(c.optim); err != nil {
		return fmt.Errorf("%s: %w", c.Path, err)
	}
	rngState, err := base64.StdEncoding.DecodeString(c.meta.RNG)
	if err != nil {
		return fmt.Errorf("%s: random state: %v", c.Path, err)
	}
	if err := t.RNG.UnmarshalBinary(rngState); err != nil {
		return fmt.Errorf("%s: random state: %v", c.Path, err)
	}
	if c.meta.Plateau != nil && t.Plateau != nil {
		t.Plateau.State = *c.meta.Plateau
	}
	t.pos = c.meta.Position
	t.history = c.meta.History
	if t.pos.Batch > t.loader.Len() {
		return fmt.Errorf("%s: checkpoint is at batch %d of an epoch of %d batches: the batch size differs", c.Path, t.pos.Batch, t.loader.Len())
	}
	return nil
}

// SaveWeights writes the model's parameters as float32 safetensors with
// PyTorch's names: the file loads with safetensors.torch.load_file into the
// same nn.Sequential.
func SaveWeights(path string, m nn.Module[float32]) error {
	var tensors []safetensors.Tensor
	for _, p := range m.Parameters() {
		tensors = append(tensors, safetensors.Encode(p.Name, p.Value))
	}
	return writeFileAtomic(path, func(w io.Writer) error {
		return safetensors.Write(w, tensors, map[string]string{"format": "pt"})
	})
}

// LoadWeights reads a safetensors file of weights as a state dict.
func LoadWeights(path string) ([]nn.NamedTensor[float32], error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var sd []nn.NamedTensor[float32]
	for i := range f.Tensors {
		x, err := safetensors.Decode[float32](&f.Tensors[i])
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		sd = append(sd, nn.NamedTensor[float32]{Name: f.Tensors[i].Name, Tensor: x})
	}
	return sd, nil
}

// writeFileAtomic writes path through a temporary file in the same
// directory that is synced to disk and then renamed over path, so a crash
// at any moment leaves either the old file or the new one, never a torn one.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("train: cannot write in %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err = write(bw); err != nil {
		return fmt.Errorf("train: writing %s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("train: writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("train: syncing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("train: closing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("train: renaming to %s: %w", path, err)
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync() // make the rename durable; not all file systems allow it
		d.Close()
	}
	return nil
}
