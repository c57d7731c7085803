package dashboard

import (
	"bufio"
	"encoding/json"
	"github.com/descent-ml/descent/train"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serve starts a server over root.
func serve(t *testing.T, root string) *httptest.Server {
	s, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	s.Poll = 50 * time.Millisecond
	ts := httptest.NewServer(s)
	t.Cleanup(func() { ts.Close(); s.Close() })
	return ts
}

func get(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

const xssName = "<img src=x onerror=alert(1)>"

// TestServerSafety: runs only under the root, never through a symbolic
// link or a path in a parameter, raw or encoded; read-only; names escaped;
// the CSP on every response.
func TestServerSafety(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "runs")
	newRun(t, filepath.Join(root, "a"), 1).steps(t, 4)
	newRun(t, filepath.Join(root, xssName), 2).steps(t, 2)
	// A run outside the root, reachable only through symbolic links.
	newRun(t, filepath.Join(base, "secret"), 3).steps(t, 2)
	os.Symlink(filepath.Join(base, "secret"), filepath.Join(root, "link"))
	os.MkdirAll(filepath.Join(root, "b"), 0o755)
	os.Symlink(filepath.Join(base, "secret", "steps.csv"), filepath.Join(root, "b", "steps.csv"))
	ts := serve(t, root)

	code, h, body := get(t, ts.URL+"/api/runs")
	var runs []RunInfo
	if err := json.Unmarshal([]byte(body), &runs); err != nil || code != 200 {
		t.Fatalf("/api/runs: %d %v %s", code, err, body)
	}
	var names []string
	for _, r := range runs {
		names = append(names, r.Name)
	}
	if len(runs) != 2 || !strings.Contains(strings.Join(names, "|"), "a") || !strings.Contains(strings.Join(names, "|"), xssName) {
		t.Errorf("runs %q, want a and the XSS name only (no symlinked run)", names)
	}
	if strings.Contains(body, "<img") {
		t.Errorf("the run name reaches JSON unescaped: %s", body)
	}
	if h.Get("Content-Security-Policy") != CSP {
		t.Errorf("CSP %q", h.Get("Content-Security-Policy"))
	}
	for _, path := range []string{
		"/api/run?run=link", "/api/run?run=b", "/api/run?run=..", "/api/run?run=../secret", "/api/run?run=%2e%2e%2fsecret",
		"/api/run?run=a%2f..%2f..%2fsecret", "/api/run?run=/etc", "/api/run?run=a/../../secret",
		"/chart/loss.svg?run=../secret", "/static/../server.go", "/static/%2e%2e/server.go", "/static/..%2fserver.go",
		"/a/steps.csv", "/../secret/steps.csv", "/%2e%2e/secret/steps.csv",
	} {
		code, h, body := get(t, ts.URL+path)
		if code == 200 && !strings.Contains(path, "/chart/") || strings.Contains(body, "secret") || strings.Contains(body, "package dashboard") {
			t.Errorf("%s: %d %q", path, code, body[:min(len(body), 200)])
		}
		if h.Get("Content-Security-Policy") != CSP {
			t.Errorf("%s: no CSP", path)
		}
	}
	// A chart of a run outside the root draws nothing of it.
	if _, _, svg := get(t, ts.URL+"/chart/loss.svg?run=../secret"); !strings.Contains(svg, "no data yet") {
		t.Errorf("chart of ../secret drew something")
	}
	// The name is escaped in SVG legends too.
	_, _, svg := get(t, ts.URL+"/chart/loss.svg?run=a&run="+strings.ReplaceAll(xssName, " ", "%20"))
	if strings.Contains(svg, "<img") || !strings.Contains(svg, "&lt;img") {
		t.Errorf("SVG legend not escaped")
	}
	for _, m := range []string{"POST", "PUT", "DELETE"} {
		req, _ := http.NewRequest(m, ts.URL+"/api/runs", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s: %d, want 405", m, resp.StatusCode)
		}
	}
}

// TestPageWeight: the page and its assets weigh under 1 MB, and it names
// no other origin.
func TestPageWeight(t *testing.T) {
	ts := serve(t, t.TempDir())
	total := 0
	for _, p := range []string{"/", "/static/app.js", "/static/style.css"} {
		code, _, body := get(t, ts.URL+p)
		if code != 200 {
			t.Fatalf("%s: %d", p, code)
		}
		if strings.Contains(body, "http://") || strings.Contains(body, "https://") || strings.Contains(body, "//cdn") {
			t.Errorf("%s names another origin", p)
		}
		total += len(body)
	}
	if total >= 1<<20 {
		t.Errorf("page and assets weigh %d bytes", total)
	}
}

// TestEventsOnNewStep: the event stream reports a change when the run
// writes a new step.
func TestEventsOnNewStep(t *testing.T) {
	root := t.TempDir()
	run := newRun(t, filepath.Join(root, "live"), 1)
	run.steps(t, 2)
	ts := serve(t, root)
	resp, err := http.Get(ts.URL + "/events?run=live")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func() []RunInfo {
		deadline := time.After(10 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatal("stream closed")
				}
				if d, ok := strings.CutPrefix(l, "data: "); ok {
					var infos []RunInfo
					json.Unmarshal([]byte(d), &infos)
					return infos
				}
			case <-deadline:
				t.Fatal("no event")
			}
		}
	}
	if first := next(); len(first) != 1 || first[0].Step != 2 {
		t.Fatalf("first event %+v", first)
	}
	run.steps(t, 2)
	if second := next(); len(second) != 1 || second[0].Step != 4 {
		t.Fatalf("after two more steps: %+v", second)
	}
}

// TestMetricsOnlyRun: a run with metrics.csv alone (a language model's,
// descent train --text) is listed, its loss and accuracy are drawn, the
// other charts say they were not recorded (the log-scale ones used to
// panic with nothing to tick), and /api/run says so.
func TestMetricsOnlyRun(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "lm")
	os.MkdirAll(dir, 0o755)
	f, err := os.Create(filepath.Join(dir, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	train.WriteMetricsCSV(f, []train.EpochMetrics{{Epoch: 1, TrainLoss: 3.9, TestLoss: 3.3, TestAccuracy: 0.18, LR: 0.002, Seconds: 3}, {Epoch: 2, TrainLoss: 3.0, TestLoss: 2.9, TestAccuracy: 0.27, LR: 0.002, Seconds: 3}})
	f.Close()
	ts := serve(t, root)
	for _, name := range Charts {
		code, _, svg := get(t, ts.URL+"/chart/"+name+".svg?run=lm")
		recorded := name == "loss" || name == "accuracy"
		if code != 200 || !strings.Contains(svg, "<svg") || strings.Contains(svg, "not recorded for this run") == recorded {
			t.Errorf("%s: %d, drawn %v, want 200 and drawn %v: %.200s", name, code, !strings.Contains(svg, "not recorded"), recorded, svg)
		}
	}
	_, _, body := get(t, ts.URL+"/api/run?run=lm")
	var d RunDetail
	if err := json.Unmarshal([]byte(body), &d); err != nil || d.Recorded || len(d.Metrics) != 2 {
		t.Errorf("/api/run: %v, recorded %v, %d metrics rows: %s", err, d.Recorded, len(d.Metrics), body)
	}
}
