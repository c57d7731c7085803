package dashboard

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Listen opens a TCP listener at addr, on 127.0.0.1 when addr names no
// host ("6006", ":6006"): the dashboard is local unless asked otherwise.
// Port 0 picks a free port.
func Listen(addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = "", addr
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.Listen("tcp", net.JoinHostPort(host, port))
}

// URL is the address of the page served on ln.
func URL(ln net.Listener) string { return "http://" + ln.Addr().String() + "/" }

// Serve serves s on ln until ctx is done, then closes the connections and
// returns nil; it returns an error only when serving fails.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	defer context.AfterFunc(ctx, func() { hs.Close() })()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// ServeRun serves the run directory dir on ln in the background while the
// run trains, until ln is closed, and returns the page's address. The
// server only reads the files the run writes: however slow its browsers,
// it cannot slow training.
func ServeRun(ln net.Listener, dir string) (url string, err error) {
	srv, err := New(dir)
	if err != nil {
		return "", err
	}
	go srv.Serve(context.Background(), ln)
	return URL(ln), nil
}
