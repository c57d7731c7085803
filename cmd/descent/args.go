package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/lab"
)

// formatFloat is the shortest representation that parses back to v: the
// CSV format every command prints.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// splitList splits a comma-separated flag value; "" is no values.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// keysHelp is help text for a registry: one line per name with its
// settings, the names padded to width.
func keysHelp(names []string, keys func(string) []string, width int) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "  %-*s %s\n", width, n, strings.Join(keys(n), ", "))
	}
	return strings.TrimRight(b.String(), "\n")
}

// checkRange returns a usage error unless lo <= v <= hi.
func checkRange(flagName string, v, lo, hi int) error {
	if v < lo || v > hi {
		return usagef("--%s %d: must be between %d and %d", flagName, v, lo, hi)
	}
	return nil
}

// firstError returns the first non-nil error.
func firstError(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// checkPlotPath rejects a --plot file whose format is unknown before any
// work is done.
func checkPlotPath(path string) error {
	if path == "" {
		return nil
	}
	if _, err := lab.ImageFormat(path); err != nil {
		return usagef("--plot: %v", strings.TrimPrefix(err.Error(), "lab: "))
	}
	return checkOutDir("--plot", path)
}

// usageErr makes err, if any, a usage error (exit 2): what the output
// flags' check (cliflag.Output.Check) returns.
func usageErr(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err.Error()}
}

// orElse returns a unless it is empty, else b.
func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// wroteDir names the directory dir and the files in it, as train does:
// "wrote DIR (a.csv, b.csv)".
func wroteDir(w io.Writer, dir string) {
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	fmt.Fprintf(w, "wrote %s (%s)\n", dir, strings.Join(names, ", "))
}
