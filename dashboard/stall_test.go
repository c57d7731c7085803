package dashboard

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/descent-ml/descent/monitor"
)

// monitorEvery1 records a steps.csv row every step.
var monitorEvery1 = monitor.Options{Every: 1, LayerEvery: 10}

// TestStalledBrowser: a browser that stops reading never slows training
// nor the other browsers. Two raw connections ask for the event stream and
// for a large chart and then never read; meanwhile a run trains and writes
// its rows, and a normal browser follows it. The test checks that
//
//   - the training steps (the recorder writing its rows) all finish while
//     both stalled connections are still open and stalled: nothing the run
//     does waits on a client (the recorder only appends to files; each
//     stream polls them on its own);
//   - the normal browser gets the event of the last step, and the same
//     large chart, while the stalled chart response is stuck part-way (a
//     response is written with no lock held);
//   - nothing is queued for a stalled client: the server holds at most
//     one event per stream, and an event (or response) the client does
//     not take within WriteTimeout is dropped, counted, and its connection
//     closed; the normal browser goes on getting events.
func TestStalledBrowser(t *testing.T) {
	root := t.TempDir()
	run := newRunOf(t, filepath.Join(root, "a"), 1, []int{32}, 16, monitorEvery1)
	run.steps(t, 20)
	bigRun(t, filepath.Join(root, "big"), 20000) // a loss chart of ~280 kB: more than the sockets hold
	for i := range 15 {                          // runs listed in every event: events of a few kB
		newRun(t, filepath.Join(root, fmt.Sprintf("other%02d", i)), uint64(i+2)).steps(t, 1)
	}
	s, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	s.Poll = 5 * time.Millisecond
	s.WriteTimeout = 5 * time.Second
	ts := httptest.NewUnstartedServer(s)
	conns := &connLog{}
	ts.Listener = &smallBufferListener{Listener: ts.Listener, log: conns}
	ts.Start()
	// Cleanups run last first: the clients' connections close before the
	// server waits for its handlers.
	t.Cleanup(func() { ts.Close(); s.Close() })
	client := &http.Client{Timeout: 10 * time.Second}

	stallEvents := stall(t, ts.URL, "/events")
	stallChart := stall(t, ts.URL, "/chart/loss.svg?run=big")
	events := follow(t, ts.URL+"/events?run=a")

	// Train while both stall: every step writes a steps.csv row, so each
	// poll of the event streams finds a new event.
	start := time.Now()
	for range 10 {
		run.steps(t, 5)
		time.Sleep(20 * time.Millisecond)
	}
	trained := time.Since(start)
	last := run.tr.Position().Step
	if conns.closed(stallEvents) || conns.closed(stallChart) {
		t.Fatalf("a stalled connection was dropped before training ended (%v, WriteTimeout %v): the machine is too slow for this test to prove anything",
			trained, s.WriteTimeout)
	}

	// The normal browser sees the last step, and gets the chart, while the
	// stalled chart response is still stuck.
	if !events.waitStep(last, 5*time.Second) {
		t.Errorf("the normal browser never saw step %d", last)
	}
	chartStart := time.Now()
	resp, err := client.Get(ts.URL + "/chart/loss.svg?run=big")
	if d := time.Since(chartStart); d > s.WriteTimeout/2 {
		t.Errorf("the normal browser's chart took %v: it waited behind the stalled one", d)
	}
	if err != nil {
		t.Fatalf("the normal browser's chart, behind a stalled one: %v", err)
	}
	svg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(svg), "</svg>") {
		t.Errorf("chart for the normal browser: %d, %d bytes", resp.StatusCode, len(svg))
	}
	if stuck := conns.written(stallChart); conns.closed(stallChart) || stuck >= len(svg) {
		t.Errorf("the stalled chart response is not stuck (%d of %d bytes written, closed %v): the check proves nothing",
			stuck, len(svg), conns.closed(stallChart))
	}

	// Training goes on (an idle stream writes nothing, so it cannot notice
	// a stalled client) until the server gives up on both.
	deadline := time.Now().Add(s.WriteTimeout + 15*time.Second)
	for !(conns.closed(stallEvents) && conns.closed(stallChart)) && time.Now().Before(deadline) {
		run.steps(t, 1)
		time.Sleep(20 * time.Millisecond)
	}
	if !conns.closed(stallEvents) || !conns.closed(stallChart) {
		t.Fatalf("stalled connections still open %v after the stall: events %v (%d bytes written), chart %v (%d bytes)",
			time.Since(start), !conns.closed(stallEvents), conns.written(stallEvents),
			!conns.closed(stallChart), conns.written(stallChart))
	}
	st := s.EventStats()
	if st.Dropped < 1 || st.Open != 1 {
		t.Errorf("event stats %+v: want the stalled stream's event dropped and only the normal stream open", st)
	}
	t.Logf("stalled stream: %d bytes written, then dropped; %+v; 50 steps trained in %v while stalled",
		conns.written(stallEvents), st, trained)
	// The normal browser still follows the run.
	last = run.tr.Position().Step
	run.steps(t, 2)
	if !events.waitStep(last+2, 5*time.Second) {
		t.Errorf("the normal browser stopped getting events after the stalled ones were dropped")
	}
}

// bigRun writes a run of n steps' rows, as a long run leaves them.
func bigRun(t *testing.T, dir string, n int) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := []byte(monitor.StepsHeader + "\n")
	for i := 1; i <= n; i++ {
		b = fmt.Appendf(b, "1,%d,%g,%g,0.1,,1\n", i, float64(i)/float64(n), 2.3/(1+float64(i)/1000))
	}
	if err := os.WriteFile(filepath.Join(dir, monitor.StepsFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// stall sends a GET for path on a raw connection with a small receive
// buffer and never reads the answer. It returns the connection's local
// address, by which the server's side is known.
func stall(t *testing.T, base, path string) string {
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.(*net.TCPConn).SetReadBuffer(4096)
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
	return c.LocalAddr().String()
}

// stream is a normal browser's event stream.
type stream struct {
	mu   sync.Mutex
	step int // the latest step of run a seen in an event
}

func follow(t *testing.T, url string) *stream {
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	st := &stream{}
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var infos []RunInfo
				json.Unmarshal([]byte(d), &infos)
				for _, ri := range infos {
					st.mu.Lock()
					st.step = max(st.step, ri.Step)
					st.mu.Unlock()
				}
			}
		}
	}()
	return st
}

func (s *stream) waitStep(step int, d time.Duration) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		s.mu.Lock()
		ok := s.step >= step
		s.mu.Unlock()
		if ok {
			return true
		}
	}
	return false
}

// smallBufferListener gives the server's side of every connection a small
// send buffer, so that a client that does not read fills it at once, and
// logs what the server writes to each connection.
type smallBufferListener struct {
	net.Listener
	log *connLog
}

func (l *smallBufferListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	c.(*net.TCPConn).SetWriteBuffer(4096)
	return &loggedConn{Conn: c, log: l.log, peer: c.RemoteAddr().String()}, nil
}

// connLog records, by the client's address, the bytes the server wrote
// and whether it closed the connection.
type connLog struct {
	mu     sync.Mutex
	bytes  map[string]int
	closes map[string]bool
}

func (l *connLog) add(peer string, n int, closed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bytes == nil {
		l.bytes, l.closes = map[string]int{}, map[string]bool{}
	}
	l.bytes[peer] += n
	l.closes[peer] = l.closes[peer] || closed
}

func (l *connLog) written(peer string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bytes[peer]
}

func (l *connLog) closed(peer string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closes[peer]
}

type loggedConn struct {
	net.Conn
	log  *connLog
	peer string
}

func (c *loggedConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.log.add(c.peer, n, false)
	return n, err
}

func (c *loggedConn) Close() error {
	c.log.add(c.peer, 0, true)
	return c.Conn.Close()
}
