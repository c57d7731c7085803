package dashboard

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts headless chromium, or skips the test when it is missing
// (outside CI, where a missing chromium is a failure).
func browser(t *testing.T) (context.Context, *consoleErrors) {
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is missing; CI installs it with: apt-get install -y chromium")
		}
		t.Skip("browser tests need chromium: apt-get install -y chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1400, 1800))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	errs := &consoleErrors{}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				errs.add(string(m.Type) + ": " + m.Text + " " + m.URL)
			}
		}
	}()
	return ctx, errs
}

type consoleErrors struct {
	mu   sync.Mutex
	list []string
}

func (c *consoleErrors) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, s)
}

func (c *consoleErrors) get() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.list...)
}

// TestBrowser drives headless chromium over a live run: the page loads,
// the charts have data, a new step appears without a reload, the run list
// overlays a second run, names are shown as text, and the console has no
// errors.
func TestBrowser(t *testing.T) {
	root := t.TempDir()
	live := newRun(t, filepath.Join(root, "live"), 1)
	other := newRun(t, filepath.Join(root, xssName), 2)
	other.steps(t, 6)
	time.Sleep(20 * time.Millisecond) // "live" is the newest run: the page selects it
	live.steps(t, 60)
	ts := serve(t, root)
	ctx, errs := browser(t) // after serve: closed before the server
	start := time.Now()
	defer func() { t.Logf("browser test took %v", time.Since(start)) }()

	timeout := chromedp.WithPollingTimeout(30 * time.Second)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL)); err != nil {
		t.Fatal(err)
	}
	step, err := chromedp.Run(ctx, chromedp.Poll[string](`document.querySelector("#last").dataset.step`, timeout))
	if err != nil {
		t.Fatalf("page did not load: %v (console: %q)", err, errs.get())
	}
	t.Logf("loaded after %v", time.Since(start))
	if step != "60" {
		t.Errorf("the page shows step %s, want 60", step)
	}
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](
		`Array.from(document.querySelectorAll("#charts img")).every(i => i.complete && i.naturalWidth > 0)`, timeout))
	if err != nil {
		t.Fatalf("charts did not load: %v", err)
	}
	// The charts have data: the loss chart of the selected run has lines
	// and a legend, not "no data yet".
	svg, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`fetch(document.querySelector('img[data-chart="loss"]').src).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(svg, "no data yet") || !strings.Contains(svg, "train (smoothed)") || strings.Count(svg, "<path") < 10 {
		t.Errorf("the loss chart has no data:\n%.400s", svg)
	}
	// A new step appears without a reload.
	live.steps(t, 10)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#last").dataset.step === "70"`, timeout)); err != nil {
		t.Fatalf("step 70 did not appear: %v", err)
	}
	// The run list: tick the other run to overlay it; its name is text.
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { document.querySelector("#runs input:not(:checked)").click(); return true })()`))
	if err != nil {
		t.Fatal(err)
	}
	src, err := chromedp.Run(ctx, chromedp.Poll[string](
		`(s => s.includes("run=%3Cimg") && s)(document.querySelector('img[data-chart="loss"]').src)`, timeout))
	if err != nil {
		t.Fatalf("overlaying a second run: %v", err)
	}
	labels, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#runs").textContent`))
	if !strings.Contains(src, "run=live") || !strings.Contains(labels, xssName) {
		t.Errorf("chart src %q, run list %q", src, labels)
	}
	injected, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#runs img, #config script, main img:not([data-chart])").length`))
	if injected != 0 {
		t.Errorf("a run name or config value became HTML")
	}
	chromedp.Do(ctx, chromedp.Sleep(500*time.Millisecond))
	if e := errs.get(); len(e) > 0 {
		t.Errorf("console errors: %q", e)
	}
}

// TestScreenshot saves a screenshot of the page over the runs in
// DESCENT_SCREENSHOT_RUNS as DESCENT_SCREENSHOT (the README's
// docs/dashboard.png):
//
//	DESCENT_SCREENSHOT=$PWD/docs/dashboard.png DESCENT_SCREENSHOT_RUNS=runs go test -run Screenshot ./dashboard/
func TestScreenshot(t *testing.T) {
	out, runs := os.Getenv("DESCENT_SCREENSHOT"), os.Getenv("DESCENT_SCREENSHOT_RUNS")
	if out == "" || runs == "" {
		t.Skip("set DESCENT_SCREENSHOT and DESCENT_SCREENSHOT_RUNS")
	}
	ts := serve(t, runs)
	ctx, errs := browser(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1400, 1000), chromedp.Navigate(ts.URL)); err != nil {
		t.Fatal(err)
	}
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`document.querySelector("#last").dataset.step && Array.from(document.querySelectorAll("#charts img")).every(i => i.complete && i.naturalWidth > 0)`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if e := errs.get(); len(e) > 0 {
		t.Errorf("console errors: %q", e)
	}
}
