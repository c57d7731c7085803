package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadDataOneLineExit2 gives train, predict and eval broken CSV files
// and image folders: each must print one line on stderr naming the file
// (and the line, for a CSV), exit with status 2, and write nothing.
func TestBadDataOneLineExit2(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	write := func(name, content string) {
		if err := os.MkdirAll(filepath.Dir(p(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p(name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good.csv", "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,1,0\n")
	write("ragged.csv", "a,b,y\n1,2,0\n3,4\n")
	write("word.csv", "a,b,y\n1,2,0\n3,four,1\n")
	write("nan.csv", "a,b,y\n1,2,0\n3,NaN,1\n5,6,0\n")
	write("empty.csv", "")
	write("header.csv", "a,b,y\n")
	write("newclass.csv", "a,b,y\n1,2,0\n3,4,7\n")
	writeImageFolder(t, p("imgs"), 2, 1)
	write("badimg/cat/0.png", "not a png")
	write("badimg/dog/0.png", "not a png either")
	writeImageFolder(t, p("noimgs"), 2, 1)
	if err := os.MkdirAll(p("noimgs/empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("noimgs/empty/readme.txt", "no images here")
	run := p("run")
	if code, _, stderr := runCapture("train", "--data", p("good.csv"), "--hidden", "4", "--epochs", "1", "--quiet", "--out", run); code != 0 {
		t.Fatalf("training on good.csv: exit %d: %s", code, stderr)
	}
	out := p("out")
	tr := func(args ...string) []string {
		return append([]string{"train", "--hidden", "4", "--epochs", "1", "--quiet", "--out", out}, args...)
	}
	cases := []struct {
		args  []string
		wants []string
	}{
		{tr("--data", p("ragged.csv")), []string{"ragged.csv:3", "2 fields"}},
		{tr("--data", p("word.csv")), []string{"word.csv:3", `"four"`}},
		{tr("--data", p("nan.csv")), []string{"nan.csv:3", `"NaN"`}},
		{tr("--data", p("empty.csv")), []string{"empty.csv", "empty file"}},
		{tr("--data", p("header.csv")), []string{"header.csv", "no data rows"}},
		{tr("--data", p("good.csv"), "--target", "zz"), []string{"good.csv", `"zz"`, "a, b, y"}},
		{tr("--data", p("good.csv"), "--test-data", p("ragged.csv")), []string{"ragged.csv:3"}},
		{tr("--data", p("good.csv"), "--test-data", p("newclass.csv")), []string{"newclass.csv:3", `"7"`}},
		{tr("--data", p("good.csv"), "--test-split", "1.5"), []string{"--test-split"}},
		{tr("--data", p("good.csv"), "--test-split", "0.2", "--test-data", p("good.csv")), []string{"--test-data", "--test-split"}},
		{tr("--data", p("good.csv"), "--task", "ranking"), []string{"--task", `"ranking"`}},
		{tr("--data", p("good.csv"), "--norm", "group"), []string{"--norm", `"group"`, "batch"}},
		{tr("--data", p("good.csv"), "--image-size", "28"), []string{"--image-size", "good.csv"}},
		{tr("--data", p("badimg")), []string{filepath.Join("badimg", "cat", "0.png"), "decodable"}},
		{tr("--data", p("noimgs")), []string{filepath.Join("noimgs", "empty"), "no images"}},
		{tr("--data", p("imgs"), "--image-size", "0x5"), []string{"--image-size"}},
		{tr("--data", p("imgs"), "--channels", "2"), []string{"--channels"}},
		{tr("--data", p("imgs"), "--target", "y"), []string{"--target", "image folder"}},
		{tr("--test-split", "0.3"), []string{"--test-split", "CSV file or an image folder"}},
		{[]string{"predict", "--run", p("missing"), "--data", p("good.csv")}, []string{"--run", "missing"}},
		{[]string{"predict", "--run", run, "--data", p("ragged.csv")}, []string{"ragged.csv:3"}},
		{[]string{"predict", "--run", run, "--data", p("missing.csv")}, []string{"missing.csv"}},
		{[]string{"predict", "--run", run}, []string{"--data"}},
		{[]string{"eval", "--run", run, "--data", p("word.csv")}, []string{"word.csv:3"}},
		{[]string{"eval", "--run", run, "--data", p("newclass.csv")}, []string{"newclass.csv:3", `"7"`}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, _, msg := runCapture(c.args...)
			if code != 2 {
				t.Errorf("exit status %d, want 2; stderr: %s", code, msg)
			}
			if strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") || strings.Contains(msg, "goroutine ") {
				t.Errorf("stderr is not exactly one line: %q", msg)
			}
			for _, want := range c.wants {
				if !strings.Contains(msg, want) {
					t.Errorf("stderr lacks %q: %s", want, msg)
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was written", out)
			}
		})
	}
}

// runCapture runs descent in-process and returns its exit status, stdout
// and stderr.
func runCapture(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}
