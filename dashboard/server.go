// Package dashboard serves a page that shows training runs live: the loss
// and accuracy, lr and momentum, per layer the forward and backward
// variance (the lecture's variance picture, of the real run), gradient
// norms, update ratios, dead units and weight histograms, the run's
// configuration and the doctor's findings. It is descent's TensorBoard,
// with the lecture's own signals and nothing to install.
//
// The server reads run directories (the files train, monitor and doctor
// write) and never writes them. Charts are SVG drawn on the server with
// gonum/plot, the same plotting path as every PNG of the project; the page
// is a little hand-written JavaScript, embedded in the binary, that asks
// for new charts when the files change (server-sent events).
//
// Safe by default: the command binds to 127.0.0.1, only GET and HEAD are
// served, only runs found under the root (never through a symbolic link)
// and only their known files are read, through an os.Root so that no
// path, raw or encoded, leaves it; every name and value reaches the page as
// text (JSON rendered with textContent, never HTML), and a
// Content-Security-Policy forbids every other origin and inline script.
package dashboard

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

//go:embed static
var static embed.FS

// CSP is the Content-Security-Policy of every response: this origin only,
// no inline script or style, no plugins, no framing.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// maxDepth is how deep under the root runs are looked for: runs/NAME and
// the runs of descent compare, OUT/NAME.
const maxDepth = 2

// maxFile is the largest run file read (a guard, not a limit runs reach).
const maxFile = 64 << 20

// Server serves the runs under a root directory.
type Server struct {
	root  *os.Root
	label string // the root's base name, the label of a run at the root
	// Poll is how often the event stream looks at the files, and so the
	// most often a browser redraws: every chart costs the server some
	// milliseconds, taken from training when both share the machine.
	Poll time.Duration
	// WriteTimeout is the longest a response, or one event of an event
	// stream, may take to reach a client. A client slower than that (a
	// stalled browser) is disconnected and its event dropped: nothing is
	// queued for it, so however many clients stall, the server holds at
	// most one event per stream and never waits on a client while holding
	// anything another needs.
	WriteTimeout time.Duration
	mux          *http.ServeMux

	open, sent, dropped atomic.Int64 // event streams open; events sent, dropped

	mu     sync.Mutex
	charts map[string][]byte // drawn charts by chart, runs and file signature
	render sync.Mutex        // held while drawing a chart
}

// New returns a server of the runs under dir, which must be a directory.
func New(dir string) (*Server, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %v", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("dashboard: %s is not a directory", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %v", err)
	}
	abs, _ := filepath.Abs(dir)
	s := &Server{root: root, label: filepath.Base(abs), Poll: 2 * time.Second, WriteTimeout: 10 * time.Second,
		mux: http.NewServeMux(), charts: map[string][]byte{}}
	sub, _ := fs.Sub(static, "static")
	files := http.FileServerFS(sub)
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", files))
	index, _ := static.ReadFile("static/index.html")
	s.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(index)
	})
	s.mux.HandleFunc("GET /api/runs", s.handleRuns)
	s.mux.HandleFunc("GET /api/run", s.handleRun)
	s.mux.HandleFunc("GET /chart/{name}", s.handleChart)
	s.mux.HandleFunc("GET /events", s.handleEvents)
	return s, nil
}

// Close releases the root.
func (s *Server) Close() error { return s.root.Close() }

// ServeHTTP adds the security headers and refuses anything but GET and HEAD.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "read-only", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path != "/events" { // the stream sets a deadline per event
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.WriteTimeout))
	}
	s.mux.ServeHTTP(w, r)
}

// EventStats counts the server's event streams.
type EventStats struct {
	Open    int64 // streams open now
	Sent    int64 // events written to a client in full
	Dropped int64 // events a client did not take within WriteTimeout (its stream was then closed)
}

// EventStats returns the counts of the event streams so far.
func (s *Server) EventStats() EventStats {
	return EventStats{Open: s.open.Load(), Sent: s.sent.Load(), Dropped: s.dropped.Load()}
}

// Run files the server reads.
var runFiles = []string{"steps.csv", "layers.csv", "histograms.csv", "metrics.csv", "run.json", "diagnoses.txt"}

// isRun reports whether dir (relative to the root) holds a run's files.
func (s *Server) isRun(dir string) bool {
	for _, f := range []string{"steps.csv", "metrics.csv", "run.json"} {
		if st, err := s.root.Lstat(path.Join(dir, f)); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// runs lists the runs under the root: "." for the root itself, else
// slash-separated relative paths. Symbolic links are not followed.
func (s *Server) runs() []string {
	var out []string
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		if s.isRun(dir) {
			out = append(out, dir)
		}
		if depth == maxDepth {
			return
		}
		entries, err := fs.ReadDir(s.root.FS(), dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.Type()&fs.ModeType == fs.ModeDir && !strings.HasPrefix(e.Name(), ".") {
				walk(path.Join(dir, e.Name()), depth+1)
			}
		}
	}
	walk(".", 0)
	return out
}

// lookup returns the run called name if it is one the server lists: a
// name from the request is never used as a path unless it is.
func (s *Server) lookup(name string) (string, bool) {
	if name == "" || !fs.ValidPath(name) {
		return "", false
	}
	return name, slices.Contains(s.runs(), name)
}

// readFile reads one of a run's known files through the root.
func (s *Server) readFile(run, file string) ([]byte, error) {
	if !slices.Contains(runFiles, file) {
		return nil, errors.New("dashboard: not a run file")
	}
	f, err := s.root.Open(path.Join(run, file))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, errors.New("dashboard: not a regular file")
	}
	return io.ReadAll(io.LimitReader(f, maxFile))
}

// modTime is the latest change of a run's files, and their total size.
func (s *Server) modTime(run string) (time.Time, int64) {
	var t time.Time
	var size int64
	for _, f := range runFiles {
		if st, err := s.root.Lstat(path.Join(run, f)); err == nil {
			if st.ModTime().After(t) {
				t = st.ModTime()
			}
			size += st.Size()
		}
	}
	return t, size
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}

// runsParam returns the requested runs that exist, at most 12.
func (s *Server) runsParam(r *http.Request) []string {
	var out []string
	for _, name := range r.URL.Query()["run"] {
		if n, ok := s.lookup(name); ok && !slices.Contains(out, n) && len(out) < 12 {
			out = append(out, n)
		}
	}
	return out
}
