package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelpEndsWithExamples (issue 15 item 7): every command's --help ends
// with one or two examples, each a command line whose flags the command
// defines and parses (the example with --help appended stops at --help
// instead of failing on an unknown flag or a malformed value).
func TestHelpEndsWithExamples(t *testing.T) {
	for _, c := range commands {
		code, out, msg := cli(c.name, "--help")
		if code != 0 {
			t.Errorf("%s --help: exit %d: %s", c.name, code, msg)
			continue
		}
		if c.name == "lab" {
			out = captureStdout(t, func() { cli("lab", "--help") })
		}
		_, tail, ok := strings.Cut(out, "\nExamples:\n")
		if !ok || strings.Contains(tail, "\n\n") || len(c.examples) == 0 || len(c.examples) > 2 {
			t.Errorf("%s --help does not end with one or two examples:\n%s", c.name, out)
			continue
		}
		for _, line := range strings.Split(strings.TrimSpace(tail), "\n") {
			ex := strings.TrimSpace(line)
			ex, _, _ = strings.Cut(ex, " > ") // a shell redirection
			args := strings.Fields(ex)
			if len(args) < 2 || args[0] != "descent" || args[1] != c.name {
				t.Errorf("%s: example %q does not run descent %s", c.name, ex, c.name)
				continue
			}
			fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			var err error
			stdout := captureStdout(t, func() { err = c.run(fs, append(args[2:], "--help")) })
			if c.name == "lab" && err == nil && strings.Contains(stdout, "Usage: descent lab ") {
				continue
			}
			if !errors.Is(err, flag.ErrHelp) {
				t.Errorf("%s: example %q does not parse: %v", c.name, ex, err)
			}
		}
	}
}

// TestExamplesRun runs the cheap examples for real, in a temporary
// directory.
func TestExamplesRun(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for _, name := range []string{"schedule", "init", "trace", "lab"} {
		for _, ex := range find(name).examples {
			var code int
			var msg string
			captureStdout(t, func() { code, _, msg = cli(strings.Fields(ex)[1:]...) })
			if code != 0 {
				t.Errorf("%s: exit %d: %s", ex, code, msg)
			}
		}
	}
	for _, f := range []string{"onecycle.png", "ortho.png", "w.safetensors", "race.png", "variance.png", "chain.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the examples did not write %s: %v", f, err)
		}
	}
}

// captureStdout returns what f prints to os.Stdout, where the commands
// print.
func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	tmp, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Close()
	saved := os.Stdout
	os.Stdout = tmp
	defer func() { os.Stdout = saved }()
	f()
	b, err := os.ReadFile(tmp.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLRFindOut (issue 15 item 7): lr-find takes --out DIR like train and
// compare, writes lr-find.png and lr-find.csv there, and prints both paths.
func TestLRFindOut(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sub")
	var code int
	var msg string
	out := captureStdout(t, func() {
		code, _, msg = cli("lr-find", "--limit", "2000", "--hidden", "16", "--batch", "16", "--out", dir)
	})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, msg)
	}
	for _, f := range []string{"lr-find.png", "lr-find.csv"} {
		p := filepath.Join(dir, f)
		if _, err := os.Stat(p); err != nil || !strings.Contains(out, p) {
			t.Errorf("%s: %v; output %q does not name it", f, err, out)
		}
	}
}
