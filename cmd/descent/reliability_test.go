package main

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/descent-ml/descent/safetensors"
	"github.com/descent-ml/descent/train"
)

// resumeArgs is the run the crash tests interrupt: the default 784-512-256-10
// MLP (big enough that a step takes milliseconds and a checkpoint is 6 MB),
// Adam under one-cycle, 2 epochs of 1,000 images in batches of 32 with a
// checkpoint every 2 steps, so the data order, the optimizer state and the
// schedule position all have to survive a crash.
var resumeArgs = []string{"train", "--limit", "1000", "--epochs", "2", "--batch", "32", "--opt", "adam",
	"--schedule", "onecycle", "--checkpoint-every", "2", "--seed", "7", "--quiet"}

// reference is the uninterrupted run of resumeArgs, made once.
var reference struct {
	once  sync.Once
	model []byte
	train time.Duration // from the "training" line to the exit
	err   string
}

func referenceRun(t *testing.T, bin string) ([]byte, time.Duration) {
	t.Helper()
	reference.once.Do(func() {
		dir := filepath.Join(built.dir, "reference")
		p := startDescent(t, bin, nil, append(resumeArgs, "--out", dir)...)
		select {
		case <-p.started:
		case <-p.done:
		}
		start := time.Now()
		if code := p.wait(t, 5*time.Minute); code != 0 {
			reference.err = "reference run: " + p.stderr.String()
			return
		}
		reference.train = time.Since(start)
		reference.model, _ = os.ReadFile(filepath.Join(dir, "model.safetensors"))
	})
	if reference.err != "" || reference.model == nil {
		t.Fatalf("no reference run: %s", reference.err)
	}
	return reference.model, reference.train
}

// TestTrainSurvivesSIGKILL kills `descent train` with SIGKILL before its
// first checkpoint and then at six random moments of training (some of
// them during checkpoint writes), resumes each time with `descent train
// --resume DIR` alone, and requires that after every kill the checkpoint
// loads (previous or new, never torn) and that the final weights equal an
// uninterrupted run's bit for bit. Stray temporary files are ignored and
// removed on resume. Kill moments are drawn up to a quarter of the
// reference run's training time; should the machine speed up so much that
// a run finishes before its fifth kill, the sequence starts over with
// shorter delays.
func TestTrainSurvivesSIGKILL(t *testing.T) {
	bin := descentBinary(t)
	ref, trainTime := referenceRun(t, bin)
	seed := uint64(time.Now().UnixNano())
	t.Logf("kill moments drawn with seed %d; reference trains for %v", seed, trainTime.Round(time.Millisecond))
	rng := rand.New(rand.NewPCG(seed, 1))
	for round, scale := 0, 0.25; ; round, scale = round+1, scale/2 {
		dir := filepath.Join(t.TempDir(), "run")
		kills := killAndResume(t, bin, dir, rng, time.Duration(scale*float64(trainTime)))
		if kills < 5 {
			if round == 3 {
				t.Fatalf("the run finished after %d kills in every round; want at least 5", kills)
			}
			t.Logf("the run finished after %d kills; again with delays up to %.3g of its training time", kills, scale/2)
			continue
		}
		code, stdout, stderr := runDescent(t, bin, nil, "train", "--resume", dir, "--quiet")
		if code != 0 || !strings.Contains(stdout, "test accuracy: ") {
			t.Fatalf("final resume exited %d:\n%s\n%s", code, stdout, stderr)
		}
		if left := staleTemp(t, dir); len(left) > 0 {
			t.Errorf("temporary files left behind: %v", left)
		}
		if got := readFile(t, filepath.Join(dir, "model.safetensors")); !bytes.Equal(got, ref) {
			t.Fatal("model.safetensors after the kills differs from the uninterrupted run's")
		}
		return
	}
}

// strayName is a temporary file planted as a crash would leave it, which
// a resume must ignore and remove.
const strayName = ".checkpoint.safetensors.tmp-stray"

// killAndResume starts the run of resumeArgs in dir, kills it as soon as
// run.json exists, then resumes and kills it after random delays of up to
// maxDelay from the start of training, six times or until a resumed run
// finishes. After each kill the checkpoint must load and must not go back.
// It returns the number of kills during training.
func killAndResume(t *testing.T, bin, dir string, rng *rand.Rand, maxDelay time.Duration) int {
	t.Helper()
	ckPath := filepath.Join(dir, train.CheckpointFile)
	// Killed before the first checkpoint. If the process got further, the
	// files it wrote are deleted, which leaves what an earlier kill leaves.
	p := startDescent(t, bin, nil, append(resumeArgs, "--out", dir)...)
	waitForFile(t, p, filepath.Join(dir, "run.json"), time.Minute)
	p.kill()
	for _, name := range []string{train.CheckpointFile, "model.safetensors", "metrics.csv", "curves.png"} {
		if err := os.Remove(filepath.Join(dir, name)); err == nil {
			t.Logf("killed after %s was written; removed it", name)
		}
	}
	kills, midWrite, lastStep := 0, 0, -1
	for attempt := 0; kills < 6; attempt++ {
		if attempt == 1 {
			stray := filepath.Join(dir, strayName)
			if err := os.WriteFile(stray, []byte("half a checkpoint"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		p := startDescent(t, bin, nil, "train", "--resume", dir, "--quiet")
		select {
		case <-p.started:
		case <-p.done:
		}
		// Every third kill waits for a checkpoint write to begin, so that
		// some kills surely land in the middle of one.
		moment := time.After(time.Duration(rng.Float64() * float64(maxDelay)))
		if attempt%3 == 2 {
			moment = whenWriting(p, dir)
		}
		select {
		case <-p.done:
			if p.code != 0 {
				t.Fatalf("resumed run exited %d: %s", p.code, p.stderr.String())
			}
			return kills
		case <-moment:
			p.kill()
			kills++
		}
		if slices.ContainsFunc(staleTemp(t, dir), func(name string) bool { return !strings.HasSuffix(name, strayName) }) {
			midWrite++
		}
		if _, err := os.Stat(ckPath); err != nil {
			continue
		}
		ck, err := train.LoadCheckpoint(ckPath)
		if err != nil {
			t.Fatalf("after kill %d the checkpoint does not load: %v", kills, err)
		}
		if s := ck.Position().Step; s < lastStep {
			t.Fatalf("after kill %d the checkpoint went back from step %d to %d", kills, lastStep, s)
		} else {
			lastStep = s
		}
	}
	t.Logf("%d kills, %d of them during a write (a temporary file was left); last checkpoint at step %d", kills, midWrite, lastStep)
	return kills
}

// whenWriting returns a channel that receives once a temporary checkpoint
// file exists in dir (a write has begun), polling until p exits.
func whenWriting(p *proc, dir string) <-chan time.Time {
	ch := make(chan time.Time, 1)
	go func() {
		for {
			m, _ := filepath.Glob(filepath.Join(dir, ".checkpoint.safetensors.tmp-*"))
			if slices.ContainsFunc(m, func(name string) bool { return !strings.HasSuffix(name, strayName) }) {
				ch <- time.Now()
				return
			}
			select {
			case <-p.done:
				return
			case <-time.After(100 * time.Microsecond):
			}
		}
	}()
	return ch
}

// TestTrainSIGINT sends Ctrl-C to a training run: it must finish the step,
// write a checkpoint, print the command that resumes and exit 130; that
// command then finishes the run on the uninterrupted run's bits.
func TestTrainSIGINT(t *testing.T) {
	bin := descentBinary(t)
	ref, _ := referenceRun(t, bin)
	dir := filepath.Join(t.TempDir(), "run")
	p := startDescent(t, bin, nil, append(resumeArgs, "--out", dir)...)
	waitForFile(t, p, filepath.Join(dir, train.CheckpointFile), time.Minute)
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, time.Minute); code != exitInterrupted {
		t.Fatalf("exit status %d after SIGINT, want %d; stdout:\n%s\nstderr:\n%s", code, exitInterrupted, p.stdout.String(), p.stderr.String())
	}
	if want := "resume with: descent train --resume " + dir + "\n"; !strings.HasSuffix(p.stdout.String(), want) {
		t.Fatalf("stdout does not end with %q:\n%s", want, p.stdout.String())
	}
	ck, err := train.LoadCheckpoint(filepath.Join(dir, train.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if pos := ck.Position(); pos.Finished || pos.Step == 0 {
		t.Fatalf("checkpoint after SIGINT at %+v: want a run under way", pos)
	}
	code, stdout, stderr := runDescent(t, bin, nil, "train", "--resume", dir, "--quiet")
	if code != 0 || !strings.Contains(stdout, "resuming "+dir) || !strings.HasSuffix(stdout, "\n") {
		t.Fatalf("resume exited %d:\n%s\n%s", code, stdout, stderr)
	}
	if got := readFile(t, filepath.Join(dir, "model.safetensors")); !bytes.Equal(got, ref) {
		t.Fatal("model.safetensors after SIGINT and resume differs from the uninterrupted run's")
	}
}

// TestTrainDeterministicAcrossGOMAXPROCS trains the MLP and the CNN for a
// few steps with GOMAXPROCS=1 and one kernel thread, twice with
// GOMAXPROCS=2 and two: the weights must be the same bytes.
func TestTrainDeterministicAcrossGOMAXPROCS(t *testing.T) {
	bin := descentBinary(t)
	for _, model := range []string{"mlp", "cnn"} {
		var want []byte
		for i, procs := range []string{"1", "2", "2"} {
			dir := filepath.Join(t.TempDir(), "run")
			code, _, stderr := runDescent(t, bin, []string{"GOMAXPROCS=" + procs}, "train", "--model", model, "--limit", "256",
				"--epochs", "1", "--batch", "64", "--opt", "adam", "--seed", "3", "--threads", procs, "--quiet", "--out", dir)
			if code != 0 {
				t.Fatalf("%s with GOMAXPROCS=%s: exit %d: %s", model, procs, code, stderr)
			}
			got := readFile(t, filepath.Join(dir, "model.safetensors"))
			if i == 0 {
				want = got
			} else if !bytes.Equal(got, want) {
				t.Fatalf("%s: weights with GOMAXPROCS=%s (run %d) differ from GOMAXPROCS=1", model, procs, i)
			}
		}
	}
}

// TestTrainDivergesExit3 trains with an absurd learning rate, checkpointing
// every step: exit 3 with one line on stderr naming the epoch, the step,
// the lr and a parameter, suggesting a lower lr or --clip-grad-norm, and
// the last good checkpoint intact.
func TestTrainDivergesExit3(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	code := run([]string{"train", "--limit", "512", "--hidden", "32", "--lr", "1e6", "--schedule", "none",
		"--checkpoint-every", "1", "--epochs", "1", "--batch", "32", "--quiet", "--out", dir}, &stdout, &stderr)
	msg := stderr.String()
	if code != exitDiverged {
		t.Fatalf("exit status %d, want %d; stderr: %s", code, exitDiverged, msg)
	}
	if strings.Count(msg, "\n") != 1 {
		t.Fatalf("stderr is not one line: %q", msg)
	}
	for _, want := range []string{"diverged", "epoch 1", "step ", "lr 1e+06", "parameter \"", "lower --lr", "--clip-grad-norm", filepath.Join(dir, train.CheckpointFile)} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr lacks %q: %s", want, msg)
		}
	}
	ck, err := train.LoadCheckpoint(filepath.Join(dir, train.CheckpointFile))
	if err != nil {
		t.Fatalf("the last good checkpoint does not load: %v", err)
	}
	if !strings.Contains(msg, "step "+strconv.Itoa(ck.Position().Step)+")") {
		t.Errorf("stderr does not name the checkpoint's step %d: %s", ck.Position().Step, msg)
	}
	f, err := safetensors.ReadFile(filepath.Join(dir, train.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Tensors {
		x, err := safetensors.Decode[float32](&f.Tensors[i])
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range x.Data() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("checkpoint tensor %s holds %v", f.Tensors[i].Name, v)
			}
		}
	}
	if help := helpText(t, "train"); !strings.Contains(help, "3 diverged") || !strings.Contains(help, "130 interrupted") {
		t.Errorf("descent train --help does not document exit statuses 3 and 130:\n%s", help)
	}
}

func helpText(t *testing.T, cmd string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run([]string{cmd, "--help"}, &stdout, &stderr); code != 0 {
		t.Fatalf("descent %s --help: exit %d", cmd, code)
	}
	return stdout.String()
}
