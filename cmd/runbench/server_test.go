package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServerFailures: upload and history -server against servers that
// fail, each failure named by its cause in one line with exit 1, within
// seconds. (upload once said "io: read/write on closed pipe" for all of
// them, and both waited 5 minutes for a server that never answers.)
func TestServerFailures(t *testing.T) {
	refused := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return "http://" + addr
	}
	serve := func(h http.HandlerFunc) func(t *testing.T) string {
		return func(t *testing.T) string {
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			return srv.URL
		}
	}
	// hangs accepts connections and never reads or answers.
	hangs := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var conns []net.Conn
		var mu sync.Mutex
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}
		}()
		t.Cleanup(func() {
			l.Close()
			mu.Lock()
			for _, c := range conns {
				c.Close()
			}
			mu.Unlock()
		})
		return "http://" + l.Addr().String()
	}
	paths := writeSeries(t, t.TempDir(), 2, 8, 0.06, nil)
	for _, tc := range []struct {
		name    string
		server  func(t *testing.T) string
		history bool // history -server fails too (a non-JSON 200 is a query's empty result)
		want    string
	}{
		{"refused", refused, true, "connection refused"},
		{"500", serve(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "database is locked", http.StatusInternalServerError)
		}), true, "HTTP 500 Internal Server Error: database is locked"},
		{"not json", serve(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html><body>Please log in</body></html>")
		}), false, "bad reply: not a storage server's upload status (text/html): \"<html><body>Please log in</body></html>\""},
		{"redirect loop", serve(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			http.Redirect(w, r, r.URL.String(), http.StatusTemporaryRedirect)
		}), true, "stopped after 10 redirects"},
		{"never answers", hangs, true, "timed out, no answer within -timeout 1s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := tc.server(t)
			cmds := [][]string{append([]string{"upload", "-timeout", "1s", "-server", url}, paths...)}
			if tc.history {
				cmds = append(cmds, []string{"history", "-timeout", "1s", "-server", url, "-q", "host:lab1"})
			}
			for _, args := range cmds {
				start := time.Now()
				_, errs, code := runCmd(t, nil, args...)
				if code != 1 || !strings.Contains(errs, tc.want) || strings.Contains(errs, "closed pipe") {
					t.Errorf("%s: exit %d, stderr:\n%s\nwant exit 1 and %q", args[0], code, errs, tc.want)
				}
				if d := time.Since(start); d > 10*time.Second {
					t.Errorf("%s took %v", args[0], d)
				}
			}
		})
	}
}
