package main

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/safetensors"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// pcgState is a valid serialized PCG state, as checkpoints hold it.
var pcgState = func() string {
	b, _ := rand.NewPCG(1, 2).MarshalBinary()
	return base64.StdEncoding.EncodeToString(b)
}()

// badInputFixtures writes the files the bad-input cases point at and
// returns their paths by name.
func badInputFixtures(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	write := func(name, content string) {
		if err := os.WriteFile(p(name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("garbage.safetensors", "this is not a safetensors file at all")
	write("afile", "a regular file, so afile/sub cannot be created")
	// 0.weight of a 784-8-... MLP, given to a 784-16-... one.
	narrow := safetensors.Encode("0.weight", tensor.New[float32](8, 784))
	if err := safetensors.WriteFile(p("narrow.safetensors"), []safetensors.Tensor{narrow}, nil); err != nil {
		t.Fatal(err)
	}
	mkdir := func(name string) string {
		if err := os.MkdirAll(p(name), 0o755); err != nil {
			t.Fatal(err)
		}
		return p(name)
	}
	mkdir("empty")
	runJSON := func(name, content string) {
		mkdir(name)
		write(filepath.Join(name, "run.json"), content)
	}
	good := `{"config":{"model":"mlp","hidden":"16","act":"relu","opt":"sgd","lr":"0.05","epochs":1,"batch":"32","seed":1,"limit":64}}`
	runJSON("run-unknown-field", `{"config":{"model":"mlp","learning_rate":0.1}}`)
	runJSON("run-wrong-type", `{"config":{"model":"mlp","epochs":"three"}}`)
	runJSON("run-truncated", good[:40])
	runJSON("run-trailing", good+`{"config":{}}`)
	runJSON("run-huge-model", strings.Replace(good, `"hidden":"16"`, `"hidden":"1000000000,1000000000"`, 1))
	runJSON("run-bad-model", strings.Replace(good, `"model":"mlp"`, `"model":"resnet"`, 1))
	runJSON("run-negative-epochs", strings.Replace(good, `"epochs":1`, `"epochs":-4`, 1))
	runJSON("run-big", `{"command":["`+strings.Repeat("x", 2<<20)+`"]}`)
	// A run whose checkpoint is damaged, and one whose checkpoint belongs
	// to another model.
	runJSON("run-torn", good)
	write(filepath.Join("run-torn", train.CheckpointFile), "\x10\x00\x00\x00\x00\x00\x00\x00{")
	runJSON("run-foreign", good)
	foreign := safetensors.Encode("model.0.weight", tensor.New[float32](8, 784))
	if err := safetensors.WriteFile(p(filepath.Join("run-foreign", train.CheckpointFile)), []safetensors.Tensor{foreign},
		map[string]string{"descent": `{"format":1,"position":{"Epoch":1},"optimizer":"sgd","optimizer_scalars":{},"rng":"` + pcgState + `","history":[],"optimizer_tensors":0}`}); err != nil {
		t.Fatal(err)
	}
	// Recurrent models: a text file, an empty one, and weights whose
	// shapes do not fit (see recurrentFixtures).
	recurrentFixtures(t, p, write)
	// An output directory that already holds a run.
	mkdir("done")
	write(filepath.Join("done", train.CheckpointFile), "")
	return map[string]string{"dir": dir}
}

// TestBadInputOneLineExit2 runs every subcommand in-process with unknown
// names, malformed numbers, missing or unreadable files, weights that do
// not fit and output folders that cannot be written: each must print
// exactly one line on stderr naming the problem (and the valid choices
// where there are choices) and exit with status 2, with no stack trace.
func TestBadInputOneLineExit2(t *testing.T) {
	dir := badInputFixtures(t)["dir"]
	f := func(name string) string { return filepath.Join(dir, name) }
	// small keeps a case that wrongly passes validation from training long.
	small := []string{"--limit", "64", "--hidden", "16", "--epochs", "1", "--out", f("out-ok")}
	tr := func(args ...string) []string { return append(append([]string{"train"}, small...), args...) }
	cases := []struct {
		args  []string
		wants []string
	}{
		// train: names and numbers
		{tr("--model", "resnet"), []string{`"resnet"`, "mlp, cnn"}},
		{tr("--opt", "adamm"), []string{`"adamm"`, "adam", "radam"}},
		{tr("--act", "swish"), []string{`"swish"`, "relu", "tanh"}},
		{tr("--init", "glorot"), []string{`"glorot"`, "xavier_uniform"}},
		{tr("--schedule", "warp"), []string{`"warp"`, "onecycle", "cosine"}},
		{tr("--schedule", "step", "--schedule-set", "step_size=10,gamma=x"), []string{"gamma"}},
		{tr("--set", "momentum=abc"), []string{"momentum"}},
		{tr("--set", "betas=1"), []string{"betas", "valid settings"}},
		{tr("--lookahead", "k=x"), []string{"--lookahead", "k"}},
		{tr("--lookahead", "j=5"), []string{`"j"`, "k, alpha"}},
		{tr("--pretrain", "pca"), []string{`"pca"`, "autoencoder"}},
		{tr("--pretrain", "autoencoder", "--model", "cnn"), []string{"--pretrain", "cnn"}},
		{tr("--lr", "abc"), []string{"--lr", `"abc"`}},
		{tr("--lr", "-1"), []string{"--lr"}},
		{tr("--lr", "NaN"), []string{"--lr"}},
		{tr("--epochs", "0"), []string{"--epochs"}},
		{tr("--epochs", "two"), []string{"-epochs", "two"}},
		{tr("--batch", "0"), []string{"--batch", "full"}},
		{tr("--batch", "many"), []string{"--batch", "full"}},
		{tr("--hidden", "512,x"), []string{"--hidden"}},
		{tr("--hidden", "100000000,100000000"), []string{"--hidden", "limit"}},
		{tr("--seed", "-1"), []string{"-seed"}},
		{tr("--clip-grad-norm", "-1"), []string{"--clip-grad-norm"}},
		{tr("--checkpoint-every", "-1"), []string{"--checkpoint-every"}},
		{tr("--limit", "-5"), []string{"--limit"}},
		{tr("--threads", "-2"), []string{"--threads"}},
		{tr("--freeze", "9."), []string{`"9."`, "0.weight"}},
		{tr("--bogus"), []string{"bogus"}},
		{tr("stray"), []string{`"stray"`}},
		// train: files and folders
		{tr("--init-from", f("missing.safetensors")), []string{"--init-from", "missing.safetensors"}},
		{tr("--init-from", f("garbage.safetensors")), []string{"garbage.safetensors"}},
		{tr("--init-from", f("empty")), []string{"--init-from", "empty"}},
		{tr("--init-from", f("narrow.safetensors")), []string{`"0.weight"`, "[8 784]", "[16 784]"}},
		{tr("--data", f("missing")), []string{"--data", "missing"}},
		{tr("--data", f("empty")), []string{"empty"}},
		{tr("--out", f("afile/sub")), []string{"output directory", "afile"}},
		{tr("--out", f("done")), []string{"already holds a run", "--resume"}},
		{[]string{"train", "--resume", f("missing")}, []string{"--resume", "missing"}},
		{[]string{"train", "--resume", f("empty")}, []string{"run.json"}},
		{[]string{"train", "--resume", f("empty"), "--lr", "0.1"}, []string{"--resume", "--lr"}},
		{[]string{"train", "--resume", f("run-unknown-field")}, []string{"run.json", "learning_rate"}},
		{[]string{"train", "--resume", f("run-wrong-type")}, []string{"run.json", "epochs"}},
		{[]string{"train", "--resume", f("run-truncated")}, []string{"run.json"}},
		{[]string{"train", "--resume", f("run-trailing")}, []string{"run.json", "after the JSON object"}},
		{[]string{"train", "--resume", f("run-huge-model")}, []string{"run.json", "--hidden", "limit"}},
		{[]string{"train", "--resume", f("run-bad-model")}, []string{"run.json", `"resnet"`, "mlp, cnn"}},
		{[]string{"train", "--resume", f("run-negative-epochs")}, []string{"run.json", "--epochs"}},
		{[]string{"train", "--resume", f("run-big")}, []string{"run.json", "larger than"}},
		{[]string{"train", "--resume", f("run-torn")}, []string{train.CheckpointFile, "offset"}},
		{[]string{"train", "--resume", f("run-foreign")}, []string{train.CheckpointFile, "0.weight", "[8 784]", "[16 784]"}},
		// eval
		{[]string{"eval"}, []string{"--weights"}},
		{[]string{"eval", "--weights", f("missing.safetensors")}, []string{"missing.safetensors"}},
		{[]string{"eval", "--weights", f("garbage.safetensors")}, []string{"garbage.safetensors"}},
		{[]string{"eval", "--weights", f("narrow.safetensors"), "--hidden", "16"}, []string{"narrow.safetensors", "0.weight", "[8 784]", "[16 784]"}},
		{[]string{"eval", "--weights", f("narrow.safetensors"), "--model", "vgg"}, []string{`"vgg"`, "mlp, cnn"}},
		{[]string{"eval", "--weights", f("narrow.safetensors"), "--limit", "-1"}, []string{"--limit"}},
		// compare
		{[]string{"compare", "--opt", "sgd,foo", "--limit", "64"}, []string{`"foo"`, "adam"}},
		{[]string{"compare", "--opt", "sgd,adam,radam", "--lr", "0.1,0.2"}, []string{"--lr", "3"}},
		{[]string{"compare", "--opt", "sgd", "--lr", "fast"}, []string{"--lr", `"fast"`}},
		{[]string{"compare", "--init", "foo,bar", "--limit", "64"}, []string{`"foo"`, "kaiming_normal"}},
		{[]string{"compare", "--opt", "sgd,adam", "--init", "zeros,ones"}, []string{"not both"}},
		{[]string{"compare", "--opt", "sgd", "--limit", "64", "--hidden", "8", "--out", f("afile/sub")}, []string{"output directory", "afile"}},
		{[]string{"compare", "--epochs", "-1"}, []string{"--epochs"}},
		// lr-find
		{[]string{"lr-find", "--min-lr", "0"}, []string{"--min-lr"}},
		{[]string{"lr-find", "--min-lr", "1", "--max-lr", "0.1"}, []string{"--max-lr"}},
		{[]string{"lr-find", "--max-lr", "big"}, []string{"-max-lr", "big"}},
		{[]string{"lr-find", "--steps", "-1"}, []string{"--steps"}},
		{[]string{"lr-find", "--opt", "foo", "--plot", f("lr.png")}, []string{`"foo"`, "adam"}},
		{[]string{"lr-find", "--plot", f("lr.txt")}, []string{"--plot", ".png"}},
		{[]string{"lr-find", "--limit", "256", "--hidden", "8", "--plot", f("lr.png")}, []string{"too short", "--steps"}},
		{[]string{"lr-find", "--plot", f("afile/sub/lr.png")}, []string{"--plot", "afile"}},
		{[]string{"lr-find", "--plot", f("lr.png"), "--csv", f("afile/sub/lr.csv")}, []string{"--csv", "afile"}},
		// init
		{[]string{"init", "--scheme", "glorot", "--shape", "4,4"}, []string{`"glorot"`, "xavier_uniform"}},
		{[]string{"init", "--scheme", "xavier_uniform", "--shape", "4,x"}, []string{"--shape"}},
		{[]string{"init", "--scheme", "xavier_uniform", "--shape", "4,4", "--set", "gain=x"}, []string{"gain"}},
		{[]string{"init", "--scheme", "xavier_uniform", "--shape", "4,4", "--out", f("afile/sub/w.safetensors")}, []string{"afile"}},
		{[]string{"init", "--scheme", "xavier_uniform", "--shape", "4,4", "--plot", f("afile/sub/h.png")}, []string{"afile"}},
		// lab
		{[]string{"lab", "varience"}, []string{`"varience"`, "variance", "chain"}},
		{[]string{"lab", "variance", "--depth", "x"}, []string{"-depth"}},
		{[]string{"lab", "variance", "--init", "glorot"}, []string{`"glorot"`}},
		{[]string{"lab", "chain", "--csv", f("afile/sub/c.csv")}, []string{"afile"}},
		// schedule
		{[]string{"schedule", "--name", "warp"}, []string{`"warp"`, "onecycle"}},
		{[]string{"schedule", "--name", "step", "--lr", "x"}, []string{"-lr"}},
		{[]string{"schedule", "--name", "step", "--steps", "-1"}, []string{"--steps"}},
		{[]string{"schedule", "--name", "cosine", "--plot", f("afile/sub/s.png")}, []string{"afile"}},
		// trace
		{[]string{"trace", "--func", "banana", "--opt", "sgd"}, []string{`"banana"`, "rosenbrock"}},
		{[]string{"trace", "--func", "rosenbrock", "--opt", "foo"}, []string{`"foo"`, "adam"}},
		{[]string{"trace", "--func", "rosenbrock", "--opt", "sgd", "--from", "1"}, []string{"--from"}},
		{[]string{"trace", "--func", "rosenbrock", "--opt", "sgd", "--plot", f("afile/sub/t.png")}, []string{"afile"}},
		// graph, gradcheck
		{[]string{"graph", "--model", "vgg"}, []string{`"vgg"`, "mlp"}},
		{[]string{"graph", "--batch", "0"}, []string{"--batch"}},
		{[]string{"gradcheck", "--model", "vgg"}, []string{`"vgg"`, "mlp"}},
		{[]string{"gradcheck", "--samples", "-1"}, []string{"--samples"}},
		// bench
		{[]string{"bench", "--threads", "0"}, []string{"--threads"}},
		{[]string{"bench", "--only", "nothing-like-this"}, []string{"nothing-like-this"}},
		{[]string{"bench", "--repeats", "-1"}, []string{"--repeats"}},
		// the command itself
		{[]string{"trian"}, []string{`"trian"`, "train", "eval"}},
		// recurrent models and text (issue 11, item 7)
		{[]string{"lab", "bptt", "--cell", "transformer"}, []string{`"transformer"`, "rnn, lstm, gru"}},
		{tr("--model", "lstm", "--hidden", "128,64"), []string{"--hidden", `"128,64"`, "one hidden size"}},
		{tr("--model", "gru", "--act", "relu"), []string{"--act", "rnn"}},
		{tr("--model", "rnn", "--act", "gelu"), []string{`"gelu"`, "tanh, relu"}},
		{tr("--model", "lstm", "--layers", "-1"), []string{"--layers"}},
		{tr("--model", "lstm", "--hidden", "32", "--init-from", f("lstm16.safetensors")), []string{`"rnn.weight_ih_l0"`, "[64 28]", "[128 28]"}},
		{tr("--layers", "2"), []string{"--layers", "mlp"}},
		{tr("--model", "lstm", "--norm", "batch"), []string{"--norm batch", "--model lstm"}},
		{tr("--init-from", f("lstm16.safetensors")), []string{"--init-from", "none of its tensors", "rnn.bias_ih_l0", "0.weight", "--model"}},
		{[]string{"eval", "--model", "lstm", "--weights", f("lstm16.safetensors"), "--hidden", "32"}, []string{"lstm16.safetensors", "does not fit"}},
		{[]string{"eval", "--model", "lstm", "--weights", f("lstm-mixed.safetensors")}, []string{"lstm-mixed.safetensors", "does not fit"}},
		{[]string{"eval", "--model", "lstm", "--weights", f("narrow.safetensors")}, []string{"narrow.safetensors", "does not fit"}},
		{[]string{"train", "--text", f("empty.txt"), "--out", f("out-ok")}, []string{"--text", "empty.txt", "empty"}},
		{[]string{"train", "--text", f("missing.txt"), "--out", f("out-ok")}, []string{"--text", "missing.txt"}},
		{[]string{"train", "--text", f("tiny.txt"), "--out", f("out-ok")}, []string{"--text", "tiny.txt", "3 bytes"}},
		{[]string{"train", "--text", f("code.txt"), "--bptt", "0", "--out", f("out-ok")}, []string{"--bptt 0"}},
		{[]string{"train", "--text", f("code.txt"), "--hidden", "256,256", "--out", f("out-ok")}, []string{"--hidden", "one hidden size"}},
		{[]string{"train", "--text", f("code.txt"), "--model", "mlp", "--out", f("out-ok")}, []string{"--text", `"mlp"`}},
		{[]string{"train", "--text", f("code.txt"), "--schedule", "onecycle", "--out", f("out-ok")}, []string{"--schedule does not apply to --text"}},
		{[]string{"sample", "--weights", f("narrow.safetensors")}, []string{"narrow.safetensors", "not a byte-level language model", "no embed.weight"}},
		{[]string{"sample", "--weights", f("text-mixed.safetensors")}, []string{"text-mixed.safetensors", "does not fit", "fc.weight"}},
		{[]string{"sample", "--weights", f("missing.safetensors")}, []string{"missing.safetensors"}},
		{[]string{"sample"}, []string{"--weights"}},
		{[]string{"sample", "--weights", f("text16.safetensors"), "--temperature", "0"}, []string{"--temperature"}},
	}
	for _, c := range cases {
		name := strings.Join(c.args, " ")
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(c.args, &stdout, &stderr)
			msg := stderr.String()
			if code != 2 {
				t.Errorf("exit status %d, want 2; stderr: %s", code, msg)
			}
			if strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") {
				t.Errorf("stderr is not exactly one line: %q", msg)
			}
			if strings.Contains(msg, "goroutine ") || strings.Contains(msg, "panic") {
				t.Errorf("stack trace on stderr: %s", msg)
			}
			for _, want := range c.wants {
				if !strings.Contains(msg, want) {
					t.Errorf("stderr lacks %q: %s", want, msg)
				}
			}
		})
	}
}
