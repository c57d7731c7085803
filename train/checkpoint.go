package train

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
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
	Format        int               `json:"format"`
	Position      Position          `json:"position"`
	Optimizer     string            `json:"optimizer"`
	OptimScalars  map[string]string `json:"optimizer_scalars"` // strconv 'g' -1: exact, NaN and ±Inf spelled out
	RNG           string            `json:"rng"`               // base64 of the PCG state
	Plateau       *plateauState     `json:"plateau,omitempty"`
	History       []EpochMetrics    `json:"history"`
	OptimTensorsN int               `json:"optimizer_tensors"`
	// The run's shape when the checkpoint was written, so that a resume
	// with another batch size or epoch count is refused rather than
	// silently skipping batches; absent (0) in checkpoints written before
	// they were recorded.
	BatchSize     int `json:"batch_size,omitempty"`
	StepsPerEpoch int `json:"steps_per_epoch,omitempty"`
	Epochs        int `json:"epochs,omitempty"`
	// Ranks is the number of processes of a distributed run; absent (0)
	// for one process.
	Ranks int `json:"ranks,omitempty"`
}

// plateauState is schedule.PlateauState as a checkpoint holds it: its
// best metric is +Inf until an epoch improves on it (for ever, with a
// threshold of 1 or more), which a JSON number cannot hold.
type plateauState struct {
	LR              jsonFloat
	Best            jsonFloat
	NumBadEpochs    int
	CooldownCounter int
	LastEpoch       int
}

// jsonFloat is a float64 that JSON can hold whatever its value: a number
// when finite, else the string "+Inf", "-Inf" or "NaN". Plain numbers are
// read too (checkpoints written before).
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	if v := float64(f); math.IsNaN(v) || math.IsInf(v, 0) {
		return json.Marshal(f64(v))
	}
	return json.Marshal(float64(f))
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		*f = jsonFloat(v)
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = jsonFloat(v)
	return nil
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

// checkpoint writes the run's state to Dir atomically. It refuses to save
// non-finite weights (an update that overflowed): the checkpoint on disk
// must stay the last good one.
func (t *Trainer) checkpoint() error {
	if t.Options.Dir == "" {
		return nil
	}
	for _, p := range t.params {
		if !allFinite(p.Value.Data()) {
			return t.diverged(math.NaN(), t.pos.Step)
		}
	}
	st := t.Optimizer.State()
	rngState, err := t.RNG.MarshalBinary()
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	meta := checkpointMeta{Format: checkpointFormat, Position: t.pos, Optimizer: st.Optimizer,
		OptimScalars: map[string]string{}, RNG: base64.StdEncoding.EncodeToString(rngState),
		History: t.history, OptimTensorsN: len(st.Tensors),
		BatchSize: t.loader.BatchSize(), StepsPerEpoch: t.loader.Len(), Epochs: t.Options.Epochs}
	if t.ranks() > 1 {
		meta.Ranks = t.ranks()
	}
	if meta.History == nil {
		meta.History = []EpochMetrics{}
	}
	for k, v := range st.Scalars {
		meta.OptimScalars[k] = f64(v)
	}
	if t.Plateau != nil {
		ps := t.Plateau.State
		meta.Plateau = &plateauState{LR: jsonFloat(ps.LR), Best: jsonFloat(ps.Best),
			NumBadEpochs: ps.NumBadEpochs, CooldownCounter: ps.CooldownCounter, LastEpoch: ps.LastEpoch}
	}
	raw, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	tensors := encodeState("model.", t.Model)
	keys := make([]string, 0, len(st.Tensors))
	for k := range st.Tensors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		tensors = append(tensors, safetensors.Encode("optim."+k, st.Tensors[k]))
	}
	path := filepath.Join(t.Options.Dir, CheckpointFile)
	if err := writeFileAtomic(path, func(w io.Writer) error {
		return safetensors.Write(w, tensors, map[string]string{"descent": string(raw), "format": "descent-checkpoint"})
	}); err != nil {
		return err
	}
	t.saved, t.savedOK = t.pos, true
	return nil
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
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil {
		return nil, fmt.Errorf("%s: checkpoint metadata: %v", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: checkpoint metadata: unexpected data after the JSON object at offset %d", path, dec.InputOffset())
	}
	if meta.Format != checkpointFormat {
		return nil, fmt.Errorf("%s: checkpoint format %d, this descent reads %d", path, meta.Format, checkpointFormat)
	}
	if err := meta.validate(); err != nil {
		return nil, fmt.Errorf("%s: checkpoint metadata: %v", path, err)
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
		if ts.DType.IsInteger() && strings.HasPrefix(ts.Name, "model.") {
			v, err := safetensors.DecodeInt64(ts)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", path, err)
			}
			c.model = append(c.model, nn.NamedTensor[float32]{Name: strings.TrimPrefix(ts.Name, "model."), Int64: v})
			continue
		}
		x, err := safetensors.Decode[float32](ts)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		switch {
		case strings.HasPrefix(ts.Name, "model.") && !allFinite(x.Data()):
			// A checkpoint is never written from non-finite weights.
			return nil, fmt.Errorf("%s: tensor %q holds non-finite values: not a checkpoint descent wrote", path, ts.Name)
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

// validate checks the metadata's fields against each other, so that a
// hostile or damaged checkpoint is refused when it is read, not when the
// run misbehaves.
func (m *checkpointMeta) validate() error {
	p := m.Position
	switch {
	case p.Epoch < 1:
		return fmt.Errorf("field position.Epoch: %d, want at least 1", p.Epoch)
	case p.Batch < 0 || p.Step < 0 || p.Seen < 0:
		return fmt.Errorf("fields position.Batch, Step, Seen: %d, %d, %d: want non-negative counts", p.Batch, p.Step, p.Seen)
	case p.Correct < 0 || p.Correct > p.Seen:
		return fmt.Errorf("field position.Correct: %d correct of %d seen", p.Correct, p.Seen)
	case math.IsNaN(p.LossSum) || math.IsInf(p.LossSum, 0) || p.LossSum < 0:
		return fmt.Errorf("field position.LossSum: %v, want a finite non-negative sum", p.LossSum)
	case !(p.Elapsed >= 0) || math.IsInf(p.Elapsed, 0):
		return fmt.Errorf("field position.Elapsed: %v, want finite non-negative seconds", p.Elapsed)
	case m.Ranks < 0:
		return fmt.Errorf("field ranks: %d", m.Ranks)
	case m.OptimTensorsN < 0:
		return fmt.Errorf("field optimizer_tensors: %d", m.OptimTensorsN)
	}
	if len(m.History) != p.Epoch-1 {
		return fmt.Errorf("field history: %d epochs of metrics at epoch %d, want %d", len(m.History), p.Epoch, p.Epoch-1)
	}
	for i, h := range m.History {
		if h.Epoch != i+1 {
			return fmt.Errorf("field history[%d].Epoch: %d, want %d", i, h.Epoch, i+1)
		}
		if !finite(h.TrainLoss) || !finite(h.TestLoss) || !finite(h.TestAccuracy) || !finite(h.LR) || !finite(h.Seconds) {
			return fmt.Errorf("field history[%d]: non-finite metrics %+v", i, h)
		}
	}
	if m.BatchSize < 0 || m.StepsPerEpoch < 0 || m.Epochs < 0 {
		return fmt.Errorf("fields batch_size, steps_per_epoch, epochs: %d, %d, %d: want non-negative counts", m.BatchSize, m.StepsPerEpoch, m.Epochs)
	}
	rng, err := base64.StdEncoding.DecodeString(m.RNG)
	if err != nil {
		return fmt.Errorf("field rng: %v", err)
	}
	if err := new(rand.PCG).UnmarshalBinary(rng); err != nil {
		return fmt.Errorf("field rng: %v", err)
	}
	return nil
}

// ErrRunChanged is wrapped by Restore's error when the checkpoint was
// written by a run with another batch size, data set or epoch count:
// continuing would skip or repeat batches, or stretch a schedule sized for
// the old length, so it is refused rather than guessed at.
var ErrRunChanged = errors.New("the run's batch size, data or epoch count differ from the checkpoint's")

// Restore puts the trainer in the checkpoint's state: weights, optimizer,
// position, random state, plateau schedule and metrics history. A
// checkpoint of a run with another batch size or epoch count is refused
// (ErrRunChanged) before anything changes.
func (t *Trainer) Restore(c *Checkpoint) error {
	if err := t.checkRanks(c.Path, c.meta.Ranks); err != nil {
		return err
	}
	m := c.meta
	if m.StepsPerEpoch != 0 && (m.BatchSize != t.loader.BatchSize() || m.StepsPerEpoch != t.loader.Len()) {
		return fmt.Errorf("%s: %w: it was written with batches of %d (%d steps an epoch), this run has batches of %d (%d steps an epoch)",
			c.Path, ErrRunChanged, m.BatchSize, m.StepsPerEpoch, t.loader.BatchSize(), t.loader.Len())
	}
	if m.Epochs != 0 && m.Epochs != t.Options.Epochs {
		return fmt.Errorf("%s: %w: it was written by a run of %d epochs, this run has %d (to train longer, start a new run from its weights)",
			c.Path, ErrRunChanged, m.Epochs, t.Options.Epochs)
	}
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
	if ps := c.meta.Plateau; ps != nil && t.Plateau != nil {
		t.Plateau.State = schedule.PlateauState{LR: float64(ps.LR), Best: float64(ps.Best),
			NumBadEpochs: ps.NumBadEpochs, CooldownCounter: ps.CooldownCounter, LastEpoch: ps.LastEpoch}
	}
	p := c.meta.Position
	if p.Batch > t.loader.Len() {
		return fmt.Errorf("%s: checkpoint is at batch %d of an epoch of %d batches: the batch size or the data set differs", c.Path, p.Batch, t.loader.Len())
	}
	if !p.Finished && p.Epoch > t.Options.Epochs {
		return fmt.Errorf("%s: checkpoint is at epoch %d of a run of %d epochs", c.Path, p.Epoch, t.Options.Epochs)
	}
	t.pos = p
	t.history = c.meta.History
	t.saved, t.savedOK = p, true
	return nil
}

// SaveWeights writes the model's state dict (nn.StateDict: parameters and
// buffers, such as BatchNorm's running statistics) as safetensors with
// PyTorch's names, float32 and int64 for num_batches_tracked: the file
// loads with safetensors.torch.load_file into the same nn.Sequential.
func SaveWeights(path string, m nn.Module[float32]) error {
	tensors := encodeState("", m)
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
		if ts := &f.Tensors[i]; ts.DType.IsInteger() {
			v, err := safetensors.DecodeInt64(ts)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", path, err)
			}
			sd = append(sd, nn.NamedTensor[float32]{Name: ts.Name, Int64: v})
			continue
		}
		x, err := safetensors.Decode[float32](&f.Tensors[i])
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		sd = append(sd, nn.NamedTensor[float32]{Name: f.Tensors[i].Name, Tensor: x})
	}
	return sd, nil
}

// encodeState returns m's state dict as safetensors tensors named
// prefix+name: float32 tensors, and int64 ones for integer buffers.
func encodeState(prefix string, m nn.Module[float32]) []safetensors.Tensor {
	var tensors []safetensors.Tensor
	for _, e := range nn.StateDict(m) {
		if e.Tensor == nil {
			tensors = append(tensors, safetensors.EncodeInt64(prefix+e.Name, nil, e.Int64))
			continue
		}
		tensors = append(tensors, safetensors.Encode(prefix+e.Name, e.Tensor))
	}
	return tensors
}

// WriteFileAtomic writes path through a temporary file in the same
// directory (named ".BASE.tmp-*") that is synced to disk and then renamed
// over path, so a crash at any moment leaves either the old file or the
// new one, never a torn one; at worst a stray temporary file, which
// RemoveStaleTemp deletes.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	return writeFileAtomic(path, write)
}

// RemoveStaleTemp deletes the temporary files (".NAME.tmp-*") that atomic
// writes killed half-way left in dir, and returns their names. Nothing
// reads them; call it only when this process owns dir (on resume).
func RemoveStaleTemp(dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return removed, fmt.Errorf("train: removing stale %s: %w", p, err)
		}
		removed = append(removed, filepath.Base(p))
	}
	return removed, nil
}

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
	// CreateTemp makes the file private; a run's files are ordinary ones.
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("train: writing %s: %w", path, err)
	}
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
