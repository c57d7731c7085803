package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// csvOut is --out DIR, --csv FILE and --plot FILE of the commands that
// print CSV (schedule, trace, lab): without a file the CSV goes to
// standard output; --out DIR writes NAME.csv and NAME.png (or the file a
// flag names) into DIR.
type csvOut struct {
	name           string
	dir, csv, plot *string
	checkPlot      func(string) error
}

func addCSVOut(fs *flag.FlagSet, name, plotHelp string, checkPlot func(string) error) *csvOut {
	return &csvOut{name: name, checkPlot: checkPlot,
		dir:  fs.String("out", "", "write "+name+".csv and "+name+".png into this directory (created) instead of printing the CSV"),
		csv:  fs.String("csv", "", "write the CSV to FILE instead of standard output"),
		plot: fs.String("plot", "", plotHelp)}
}

// check fills in the paths under --out and checks them, before any work.
func (o *csvOut) check() error {
	if *o.dir != "" {
		if err := os.MkdirAll(*o.dir, 0o755); err != nil {
			return usagef("--out: %v", err)
		}
		*o.csv = orElse(*o.csv, filepath.Join(*o.dir, o.name+".csv"))
		*o.plot = orElse(*o.plot, filepath.Join(*o.dir, o.name+".png"))
	}
	if *o.plot != "" {
		if err := o.checkPlot(*o.plot); err != nil {
			return err
		}
	}
	return checkOutDir("--csv", *o.csv)
}

// orElse returns a unless it is empty, else b.
func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// write writes the CSV to its file or to w, then the picture, and names
// each file written: on w, or on notes when w carries the CSV.
func (o *csvOut) write(w io.Writer, csv func(io.Writer) error, plot func(path string) error) error {
	wrote := notes
	if *o.csv == "" {
		if err := csv(w); err != nil {
			return err
		}
	} else {
		wrote = w
		if err := writeFile(*o.csv, csv); err != nil {
			return err
		}
		fmt.Fprintf(wrote, "wrote %s\n", *o.csv)
	}
	if *o.plot == "" {
		return nil
	}
	if err := plot(*o.plot); err != nil {
		return err
	}
	fmt.Fprintf(wrote, "wrote %s\n", *o.plot)
	return nil
}

// writeFile creates path and writes it through write.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
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
