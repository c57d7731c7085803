package main

import (
	"fmt"
	"strconv"
	"strings"
)

// parseFloats parses a comma-separated list of numbers.
func parseFloats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, fmt.Errorf("malformed number %q", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// parseInts parses a comma-separated list of integers.
func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("malformed integer %q", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// formatFloat is the shortest representation that parses back to v: the
// CSV format every command prints.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
