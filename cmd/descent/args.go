package main

import (
	"fmt"
	"strconv"
	"strings"
)

// splitTop splits a list such as --init's on commas that are not inside
// brackets: "normal(mean=0,std=1),zeros" is two items.
func splitTop(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

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
