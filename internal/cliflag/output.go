package cliflag

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Output is the --out DIR, --csv FILE and --plot FILE of a command that
// prints CSV (descent schedule, trace, lab): without a file the CSV goes
// to standard output; --out DIR writes NAME.csv and NAME.png (or the file
// a flag names) into DIR.
type Output struct {
	Name           string
	Dir, CSV, Plot string
}

// BindOutput defines --out, --csv and --plot on fs for the output called
// name; plotHelp is --plot's usage line.
func BindOutput(fs *flag.FlagSet, name, plotHelp string) *Output {
	o := &Output{Name: name}
	fs.StringVar(&o.Dir, "out", "", "write "+name+".csv and "+name+".png into this directory (created) instead of printing the CSV")
	fs.StringVar(&o.CSV, "csv", "", "write the CSV to FILE instead of standard output")
	fs.StringVar(&o.Plot, "plot", "", plotHelp)
	return o
}

// Check fills in the paths under --out, creating the directory, and
// checks them before any work: --plot with checkPlot, --csv for a
// directory that exists.
func (o *Output) Check(checkPlot func(path string) error) error {
	if o.Dir != "" {
		if err := os.MkdirAll(o.Dir, 0o755); err != nil {
			return fmt.Errorf("--out: %v", err)
		}
		if o.CSV == "" {
			o.CSV = filepath.Join(o.Dir, o.Name+".csv")
		}
		if o.Plot == "" {
			o.Plot = filepath.Join(o.Dir, o.Name+".png")
		}
	}
	if o.Plot != "" {
		if err := checkPlot(o.Plot); err != nil {
			return err
		}
	}
	if dir := filepath.Dir(o.CSV); o.CSV != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("--csv %s: directory %s does not exist", o.CSV, dir)
		}
	}
	return nil
}

// Write writes the CSV to its file or to w, then the picture, and names
// each file written ("wrote FILE"): on w, or on notes when w carries the
// CSV.
func (o *Output) Write(w, notes io.Writer, csv func(io.Writer) error, plot func(path string) error) error {
	wrote := notes
	if o.CSV == "" {
		if err := csv(w); err != nil {
			return err
		}
	} else {
		wrote = w
		if err := WriteFile(o.CSV, csv); err != nil {
			return err
		}
		fmt.Fprintf(wrote, "wrote %s\n", o.CSV)
	}
	if o.Plot == "" {
		return nil
	}
	if err := plot(o.Plot); err != nil {
		return err
	}
	fmt.Fprintf(wrote, "wrote %s\n", o.Plot)
	return nil
}

// WriteFile creates path and writes it through write.
func WriteFile(path string, write func(io.Writer) error) error {
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
