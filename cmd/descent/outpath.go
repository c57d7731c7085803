package main

import (
	"os"
	"path/filepath"
)

// checkOutDir returns a usage error unless the directory that is to hold
// the output file path exists, so that an output that cannot be written
// is reported as bad input before any work is done. An empty path (no
// output asked for) passes.
func checkOutDir(flagName, path string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usagef("%s %s: directory %s does not exist", flagName, path, dir)
	}
	return nil
}
