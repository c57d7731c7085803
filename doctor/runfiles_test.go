package doctor

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestRunFilesListsExtrasAfterTheRunsOwn(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"table_prep.json", ".lock", "metrics.csv"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	got := RunFiles(dir)
	if got[0] != "model.safetensors" || got[len(got)-1] != "table_prep.json" {
		t.Errorf("RunFiles = %v: want model.safetensors first, the extra table_prep.json last", got)
	}
	if slices.Contains(got, ".lock") || slices.Contains(got, "sub") || !slices.Contains(got, File) {
		t.Errorf("RunFiles = %v: want no hidden file, no directory, and %s", got, File)
	}
}
