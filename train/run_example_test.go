package train_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/train"
)

// A whole run from a Config, as descent train runs it: prepare (data,
// model, optimizer, schedule, every setting checked), give it a locked
// directory (run.json, then checkpoints and metrics), start from its
// initialization (or its checkpoint, on a resume), train.
func ExamplePrepare() {
	c := train.Defaults() // the MLP, SGD with Nesterov momentum, one-cycle
	c.Hidden, c.Epochs, c.Limit = "32", 1, 500
	run, err := train.Prepare(c, train.PrepareOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "run")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	release, err := train.LockDir(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer release()
	if err := run.UseDir(dir, train.RunInfo{Command: []string{"example"}}, false, io.Discard); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := run.RestoreOrInit(dir, io.Discard); err != nil {
		fmt.Println(err)
		return
	}
	if err := run.Trainer.Run(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(run.Description)
	fmt.Println(len(run.Trainer.History()), "epoch on", run.Train.Len(), "images")
	resumed, _ := train.ResumeConfig(dir) // what a resume would build
	fmt.Println(resumed == c)
	info, _ := train.ReadRunInfo(dir)
	var opt struct { // the optimizer as built, every default filled in
		Name         string
		LR, Momentum float64
	}
	_ = json.Unmarshal(info.Resolved.Optimizer, &opt)
	fmt.Println(opt.Name, opt.LR, opt.Momentum)
	// Output:
	// mlp 784-32-10, sgd lr 0.05 (onecycle)
	// 1 epoch on 500 images
	// true
	// sgd 0.05 0.9
}

// A mistake in a Config names the field by its run.json key; a command
// line puts its flag names in their place.
func ExampleConfigError() {
	c := train.Defaults()
	c.InitSet = "gain=2" // settings for an initializer not named
	_, err := train.BuildModel(c, []int{1, 28, 28}, 10)
	fmt.Println(err)
	var ce *train.ConfigError
	if errors.As(err, &ce) {
		fmt.Println(ce.Text(func(key string) string { return "--" + strings.ReplaceAll(key, "_", "-") }))
	}
	// Output:
	// train: init_set needs init
	// --init-set needs --init
}

// A byte-level language model on a text file, its last 10% held out.
func ExampleTrainText() {
	dir, err := os.MkdirTemp("", "text")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "fox.txt")
	if err := os.WriteFile(path, []byte(strings.Repeat("the quick brown fox jumps over the lazy dog. ", 50)), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	c := train.Defaults()
	c.TextDefaults(map[string]bool{}) // a 2-layer LSTM, Adam, batch 32, 10 epochs
	c.Hidden, c.Layers, c.Epochs = "16", 1, 2
	weights, hist, err := train.TrainText(c, train.TextOptions{Path: path, BPTT: 16, Dir: dir, Quiet: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(filepath.Base(weights), len(hist), "epochs", hist[1].TestBits < 8)
	// Output: model.safetensors 2 epochs true
}
