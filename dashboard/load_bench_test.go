package dashboard

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/monitor"
)

// BenchmarkFiveBrowsers trains the default MLP (784-512-256-10, batch
// 128, default recording) while five clients behave as the page does: on
// every update event fetch the run, and every 5 s all charts. server-% is
// the handlers' summed wall time over the training time: an upper bound of
// what they take from training, inflated when handlers wait for a core
// that training holds.
//
//	go test -run XXX -bench FiveBrowsers -benchtime 1x ./dashboard/
func BenchmarkFiveBrowsers(b *testing.B) {
	root := b.TempDir()
	run := newRunOf(b, filepath.Join(root, "r"), 1, models.DefaultMLPHidden, 128, monitor.Options{})
	run.steps(b, 10)
	s, err := New(root)
	if err != nil {
		b.Fatal(err)
	}
	var busy atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/events" { // waiting on the ticker is not work
			s.ServeHTTP(w, r)
			return
		}
		t := time.Now()
		s.ServeHTTP(w, r)
		busy.Add(int64(time.Since(t)))
	}))
	defer ts.Close()
	var wg sync.WaitGroup
	done := make(chan struct{})
	var events atomic.Int64
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(ts.URL + "/events?run=r")
			if err != nil {
				return
			}
			go func() { <-done; resp.Body.Close() }()
			var chartsAt time.Time
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				if !strings.HasPrefix(sc.Text(), "data: ") {
					continue
				}
				events.Add(1)
				urls := []string{"/api/run?run=r"}
				if time.Since(chartsAt) >= 5*time.Second { // the page's chartInterval
					chartsAt = time.Now()
					urls = append(urls, chartURLs()...)
				}
				for _, u := range urls {
					if r, err := http.Get(ts.URL + u); err == nil {
						io.Copy(io.Discard, r.Body)
						r.Body.Close()
					}
				}
			}
		}()
	}
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		run.steps(b, 200)
		total += time.Since(start)
	}
	close(done)
	ts.CloseClientConnections()
	wg.Wait()
	b.ReportMetric(100*float64(busy.Load())/float64(total), "server-%")
	b.ReportMetric(float64(events.Load()), "events")
}

func chartURLs() []string {
	var out []string
	for _, c := range Charts {
		out = append(out, "/chart/"+c+".svg?run=r")
	}
	return out
}
