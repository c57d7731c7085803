package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"

	"github.com/descent-ml/descent/dashboard"
)

func init() {
	register(&command{
		name:    "dashboard",
		summary: "serve a live page of training runs: losses, per-layer variances, the doctor's findings",
		usage: "[--addr ADDR] [DIR]\n\n" +
			"Serves the runs under DIR (default runs), finished ones and ones still training, updating live;\n" +
			"tick several runs to overlay them (the runs of descent compare too). It binds to 127.0.0.1 unless\n" +
			"ADDR names another host, serves read-only, and loads nothing from other origins.",
		examples: []string{"descent dashboard", "descent dashboard --addr 127.0.0.1:0 runs"},
		run:      func(fs *flag.FlagSet, args []string) error { return runDashboard(os.Stdout, fs, args) },
	})
}

func runDashboard(w io.Writer, fs *flag.FlagSet, args []string) error {
	addr := fs.String("addr", "127.0.0.1:6006", "address to serve at (port 0 picks a free one)")
	// DIR may come before or after the flags.
	dir := "runs"
	if err := fs.Parse(args); err != nil {
		return parseFlags(fs, args)
	}
	if fs.NArg() > 0 {
		dir = fs.Arg(0)
		if err := parseFlags(fs, fs.Args()[1:]); err != nil {
			return err
		}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usagef("%s is not a directory of runs (descent train writes them under runs/)", dir)
	}
	srv, err := dashboard.New(dir)
	if err != nil {
		return usagef("%v", err)
	}
	defer srv.Close()
	ln, err := listen("--addr", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "dashboard: %s\n", dashboard.URL(ln))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return srv.Serve(ctx, ln)
}

// listen is dashboard.Listen; a bad or busy address is a usage error.
func listen(flagName, addr string) (net.Listener, error) {
	ln, err := dashboard.Listen(addr)
	if err != nil {
		return nil, usagef("%s %s: %v", flagName, addr, err)
	}
	return ln, nil
}

// serveDashboard serves the run directory dir on ln while the run trains
// (dashboard.ServeRun), printing its address first.
func serveDashboard(ln net.Listener, dir string, w io.Writer) {
	if url, err := dashboard.ServeRun(ln, dir); err != nil {
		fmt.Fprintf(w, "warning: no dashboard: %v\n", err)
	} else {
		fmt.Fprintf(w, "dashboard: %s\n", url)
	}
}
