package doctor

import (
	"os"
	"strings"
	"testing"
)

// TestExamineDirs replays the run directories named in
// DESCENT_EXAMINE (separated by spaces) and prints their findings; it is a
// tool for calibrating the rules on real runs, skipped otherwise.
func TestExamineDirs(t *testing.T) {
	dirs := os.Getenv("DESCENT_EXAMINE")
	if dirs == "" {
		t.Skip("set DESCENT_EXAMINE to run directories to replay")
	}
	for _, dir := range strings.Fields(dirs) {
		fs, err := Examine(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d findings", dir, len(fs))
		for _, f := range fs {
			t.Logf("  %s", f)
		}
	}
}
