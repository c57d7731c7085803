package train

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
)

func TestLoadTrainedErrorsNameTheRun(t *testing.T) {
	flag := func(key string) string { return "--" + key }
	missing := t.TempDir()
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, RunFile), []byte(`{"x":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	noPrep := t.TempDir()
	if err := os.WriteFile(filepath.Join(noPrep, RunFile), []byte(`{"config":{"model":"mlp"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ dir, want string }{
		{missing, "--run: " + missing + ": open "},
		{bad, "--run: " + filepath.Join(bad, RunFile) + `: json: unknown field "x"`},
		{noPrep, "--run " + noPrep + ": the run was not trained on a CSV file or an image folder"},
	} {
		_, err := LoadTrained(tc.dir)
		ce, ok := err.(*ConfigError)
		if !ok {
			t.Fatalf("LoadTrained(%s) = %v: want a ConfigError", tc.dir, err)
		}
		if got := ce.Text(flag); !strings.HasPrefix(got, tc.want) {
			t.Errorf("LoadTrained(%s): %q, want it to start %q", tc.dir, got, tc.want)
		}
	}
}

// regressionSet is a data set with real targets and no classes.
type regressionSet struct{ data.Dataset }

func (regressionSet) FillTargets([]float32, []int) {}
func (regressionSet) Classes() int                 { return 0 }

func TestWriteFinalMetric(t *testing.T) {
	m := EpochMetrics{TestLoss: 0.25, TestAccuracy: 0.875}
	var b bytes.Buffer
	WriteFinalMetric(&b, regressionSet{}, m)
	if b.String() != "test rmse: 0.5000\n" {
		t.Errorf("regression: %q", b.String())
	}
	b.Reset()
	WriteFinalMetric(&b, nil, m)
	if b.String() != "test accuracy: 0.8750\n" {
		t.Errorf("classification: %q", b.String())
	}
}
