package dashboard

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportsFlowOneWay: train <- monitor <- doctor <- dashboard. The
// trainer owns the statistics sink and knows none of them; the monitor
// knows no doctor or dashboard; the doctor no dashboard.
func TestImportsFlowOneWay(t *testing.T) {
	const mod = "github.com/descent-ml/descent/"
	forbidden := map[string][]string{
		"train":     {"monitor", "doctor", "dashboard"},
		"monitor":   {"doctor", "dashboard"},
		"doctor":    {"dashboard"},
		"dashboard": {"cmd/descent"},
	}
	for pkg, bad := range forbidden {
		files, _ := filepath.Glob(filepath.Join("..", pkg, "*.go"))
		if len(files) == 0 {
			t.Fatalf("no files in %s", pkg)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				for _, b := range bad {
					if strings.Trim(imp.Path.Value, `"`) == mod+b {
						t.Errorf("%s imports %s", f, b)
					}
				}
			}
		}
	}
}
