package dashboard

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestListenServe: an address without a host binds to 127.0.0.1, the page
// answers at URL, and Serve returns nil once its context is done.
func TestListenServe(t *testing.T) {
	for _, addr := range []string{"0", ":0", "127.0.0.1:0"} {
		ln, err := Listen(addr)
		if err != nil {
			t.Fatalf("Listen(%q): %v", addr, err)
		}
		if u := URL(ln); !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.HasSuffix(u, "/") {
			t.Errorf("Listen(%q): URL %s, want http://127.0.0.1:PORT/", addr, u)
		}
		srv, err := New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ctx, ln) }()
		resp, err := http.Get(URL(ln))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", URL(ln), resp.Status)
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve after cancel: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Serve did not return after its context was done")
		}
		srv.Close()
	}
	if _, err := Listen("127.0.0.1:notaport"); err == nil {
		t.Error("Listen accepted a bad port")
	}
}
