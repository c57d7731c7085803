package train

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/descent-ml/descent/internal/kernel"
)

// Files of a run directory, beside CheckpointFile, model.safetensors,
// metrics.csv and curves.png.
const (
	RunFile  = "run.json" // RunInfo: the configuration, to resume from
	LockFile = ".lock"    // held (flock) by the process training in the directory
)

// RunInfo is run.json: the run's Config, as given (what a resume reads,
// so that files written by older versions stay resumable), the typed
// configurations it was built from, and where it ran.
type RunInfo struct {
	Config Config `json:"config"`
	// Resolved records the typed configurations the run was built from,
	// every default filled in (absent in run.json files written before
	// it; a resume reads Config).
	Resolved  *Resolved `json:"resolved,omitempty"`
	Command   []string  `json:"command"`
	Version   string    `json:"descent_version"`
	GoVersion string    `json:"go_version"`
	Platform  string    `json:"platform"`
	GEMM      string    `json:"gemm_kernel"`
	Started   string    `json:"started"`
}

// maxRunJSON bounds the size of a run.json read back; a real one is about
// a kilobyte.
const maxRunJSON = 1 << 20

// ReadRunInfo reads dir's run.json strictly (DecodeRunInfo).
func ReadRunInfo(dir string) (*RunInfo, error) {
	path := filepath.Join(dir, RunFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, configErrorf("{resume:run directory} %s: %v (is it a descent run directory?)", dir, err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxRunJSON+1))
	if err != nil {
		return nil, configErrorf("{resume:run directory} %s: reading %s: %v", dir, path, err)
	}
	return DecodeRunInfo(raw, path)
}

// DecodeRunInfo parses the bytes of a run.json strictly: an unknown
// field, a wrong type, trailing data or an oversized file is a
// ConfigError naming path, the offset and the field.
func DecodeRunInfo(raw []byte, path string) (*RunInfo, error) {
	if len(raw) > maxRunJSON {
		return nil, configErrorf("%s: larger than %d bytes: not a run.json written by descent", path, maxRunJSON)
	}
	var info RunInfo
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&info); err != nil {
		return nil, configErrorf("%s: %v", path, jsonErrorAt(raw, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, configErrorf("%s: offset %d: unexpected data after the JSON object", path, dec.InputOffset())
	}
	return &info, nil
}

// jsonErrorAt adds the byte offset to a JSON syntax error, which Go reports
// without it in the message.
func jsonErrorAt(raw []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("offset %d: %v", se.Offset, err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("offset %d: field %s: got a JSON %s, want %v", te.Offset, te.Field, te.Value, te.Type)
	}
	return err
}

// LockDir creates dir and takes an exclusive flock(2) on its LockFile, so
// that a second process training in the same directory is refused while
// this one trains there. The kernel releases the lock when the process
// exits, however it dies (SIGKILL included), so a lock is never stale.
// The returned function releases it.
func LockDir(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, configErrorf("cannot create output directory: %v", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, LockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, configErrorf("cannot write in output directory %s: %v", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, configErrorf("%s is in use: another descent process is training in it", dir)
		}
		return nil, configErrorf("cannot lock %s: %v", dir, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// UseDir makes dir the run's directory, where the trainer writes its
// checkpoints, weights, metrics.csv and curves.png. A fresh run (resuming
// false) refuses a directory that already holds a checkpoint and writes
// run.json (info, with Config and Resolved filled in and the platform
// recorded), so that a run killed at any point can be resumed from it; a
// resumed run deletes the temporary files that writes killed half-way
// left behind, reporting them to w. Then the data's preprocessing
// (Source.WritePrep) is written beside them. The caller holds the
// directory's lock (LockDir).
func (r *Run) UseDir(dir string, info RunInfo, resuming bool, w io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return configErrorf("cannot create output directory: %v", err)
	}
	if resuming {
		removed, err := RemoveStaleTemp(dir)
		if err != nil {
			return configErrorf("{resume:run directory} %s: %v", dir, err)
		}
		if len(removed) > 0 {
			fmt.Fprintf(w, "removed %d temporary file(s) left by an interrupted write: %s\n", len(removed), strings.Join(removed, ", "))
		}
	} else if err := r.writeRunInfo(dir, info); err != nil {
		return err
	}
	if r.Source != nil {
		if err := r.Source.WritePrep(dir, WriteFileAtomic); err != nil {
			return configErrorf("cannot write in output directory %s: %v", dir, err)
		}
	}
	r.Trainer.Options.Dir = dir
	r.Trainer.Options.Plot = true
	return nil
}

// writeRunInfo writes run.json into a directory that holds no run yet.
func (r *Run) writeRunInfo(dir string, info RunInfo) error {
	if _, err := os.Stat(filepath.Join(dir, CheckpointFile)); err == nil {
		return configErrorf("{out:directory} %s already holds a run (%s): continue it with {resume:a resume of} %s, or choose another {out:directory}", dir, CheckpointFile, dir)
	}
	info.Config, info.Resolved = r.Config, r.Resolved()
	info.GoVersion, info.Platform = runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH
	info.GEMM, info.Started = kernel.GemmKernel(), time.Now().UTC().Format(time.RFC3339)
	raw, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, RunFile), func(w io.Writer) error {
		_, err := w.Write(append(raw, '\n'))
		return err
	}); err != nil {
		return configErrorf("cannot write in output directory %s: %v", dir, err)
	}
	return nil
}

// ResumeConfig returns the Config of the run in dir, read from its
// run.json. When dir holds a checkpoint, InitFrom is cleared: the
// checkpoint holds every weight, so the file the run started from is no
// longer needed (it may be gone).
func ResumeConfig(dir string) (Config, error) {
	info, err := ReadRunInfo(dir)
	if err != nil {
		return Config{}, err
	}
	c := info.Config
	if _, err := os.Stat(filepath.Join(dir, CheckpointFile)); err == nil {
		c.InitFrom = ""
	}
	return c, nil
}
