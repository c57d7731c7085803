package dashboard

import (
	"net/http/httptest"
	"path/filepath"
	"testing"
)

// BenchmarkCharts renders every chart of a run of 500 steps, as a browser
// does on each update.
func BenchmarkCharts(b *testing.B) {
	root := b.TempDir()
	newRun(b, filepath.Join(root, "r"), 1).steps(b, 500)
	s, err := New(root)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		for _, c := range Charts {
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest("GET", "/chart/"+c+".svg?run=r", nil))
		}
	}
}
