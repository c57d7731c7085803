// Command descent trains neural networks and shows why training works: the
// lecture's initializers, optimizers and backpropagation as experiments a
// user can run.
//
// Usage:
//
//	descent <command> [flags]
//
// Run `descent help` for the list of commands and `descent <command> --help`
// for each command's flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// version is the release version; overridden with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// command is one subcommand.
type command struct {
	name    string
	summary string // one line for `descent help`
	usage   string // the synopsis line after "descent NAME "
	// examples are one or two runnable command lines that end --help
	// (TestHelpEndsWithExamples parses their flags).
	examples []string
	// run parses args with fs (already named) and does the work. Flag
	// definitions happen inside run so each command owns its flags.
	run func(fs *flag.FlagSet, args []string) error
}

var commands []*command

func register(c *command) { commands = append(commands, c) }

func find(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// usageError is a mistake in the command line: unknown command, flag or
// value. It exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a usageError.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// exitError carries a specific exit status (1 for a failed check, 130 for
// an interrupted run) together with its message, which may be empty.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c := find(args[1]); c != nil {
				return runCommand(c, []string{"--help"}, stdout, stderr)
			}
		}
		printHelp(stdout)
		return 0
	}
	if args[0] == "version" || args[0] == "--version" || args[0] == "-version" {
		fmt.Fprintf(stdout, "descent %s\n", version)
		return 0
	}
	c := find(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "descent: unknown command %q; valid commands: %s\n", args[0], strings.Join(commandNames(), ", "))
		return 2
	}
	return runCommand(c, args[1:], stdout, stderr)
}

// notes receives what a command says beside its data (the files it wrote)
// when its standard output carries the data (CSV): the command's stderr.
var notes io.Writer = os.Stderr

func runCommand(c *command, args []string, stdout, stderr io.Writer) int {
	notes = stderr
	fs := flag.NewFlagSet("descent "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := c.run(fs, args)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(stdout, "%s\n\nUsage: descent %s %s\n\nFlags:\n", c.summary, c.name, c.usage)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		printExamples(stdout, c.examples)
		return 0
	}
	var ue *usageError
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintf(stderr, "descent %s: %s\n", c.name, ee.msg)
		}
		return ee.code
	case errors.As(err, &ue), isFlagError(err):
		fmt.Fprintf(stderr, "descent %s: %s (see descent %s --help)\n", c.name, oneLine(err.Error()), c.name)
		return 2
	default:
		fmt.Fprintf(stderr, "descent %s: %s\n", c.name, oneLine(err.Error()))
		return 1
	}
}

// parseFlags parses args with fs and rejects stray positional arguments.
// Flag errors come back as usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		var refused error // a guarded flag's value, said as the other checks say it
		fs.VisitAll(func(f *flag.Flag) {
			if g, ok := f.Value.(*guardedValue); ok && g.refused != nil {
				refused = g.refused
			}
		})
		if refused != nil {
			return &usageError{refused.Error()}
		}
		return &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func isFlagError(err error) bool {
	s := err.Error()
	return strings.HasPrefix(s, "flag provided but not defined") || strings.HasPrefix(s, "invalid value")
}

func oneLine(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ") }

func commandNames() []string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	slices.Sort(names)
	return names
}

func printHelp(w io.Writer) {
	fmt.Fprintf(w, "descent %s: train neural networks and see why training works.\n\nUsage: descent <command> [flags]\n\nCommands:\n", version)
	sorted := slices.Clone(commands)
	slices.SortFunc(sorted, func(a, b *command) int { return strings.Compare(a.name, b.name) })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-10s %s\n", "version", "print the version")
	fmt.Fprintf(w, "\nRun 'descent <command> --help' for a command's flags.\n")
}

// printExamples ends a --help with runnable command lines.
func printExamples(w io.Writer, examples []string) {
	if len(examples) == 0 {
		return
	}
	fmt.Fprintf(w, "\nExamples:\n")
	for _, e := range examples {
		fmt.Fprintf(w, "  %s\n", e)
	}
}
