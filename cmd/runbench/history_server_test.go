//go:build cgo

// x/perf's storage server keeps its index in SQLite through
// mattn/go-sqlite3, which needs cgo.

package main

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/perf/storage/app"
	"golang.org/x/perf/storage/db"
	_ "golang.org/x/perf/storage/db/sqlite3"
	"golang.org/x/perf/storage/fs/local"
)

// TestUploadHistoryServer: runbench upload sends a lab machine's runs to a
// real storage server (x/perf's app with SQLite, as localperfdata runs
// it) on loopback, and runbench history -server -q reads them back and
// finds the step.
func TestUploadHistoryServer(t *testing.T) {
	dir := t.TempDir()
	log.SetOutput(io.Discard) // the app logs every file and query
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	d, err := db.OpenSQL("sqlite3", filepath.Join(dir, "perfdata.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	a := &app.App{DB: d, FS: local.NewFS(filepath.Join(dir, "files")),
		Auth: func(http.ResponseWriter, *http.Request) (string, error) { return "nightly", nil }}
	mux := http.NewServeMux()
	a.RegisterOnMux(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	in := t.TempDir()
	paths := writeSeries(t, in, 12, 8, 0.06, nil)
	out, errs, code := runCmd(t, nil, append([]string{"upload", "-server", srv.URL}, paths...)...)
	if code != 0 || !strings.HasPrefix(out, "upload ") {
		t.Fatalf("upload: exit %d\n%s%s", code, out, errs)
	}
	out, errs, code = runCmd(t, nil, "history", "-server", srv.URL, "-q", "host:lab1")
	if code != 1 || !strings.Contains(out, "regression at run 9 of 12") || !strings.Contains(out, "20261109T031700Z.txt") {
		t.Errorf("history -server: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	// The same verdict as from the files themselves.
	local, _, _ := runCmd(t, nil, "history", in)
	if strings.Count(out, "regression at run") != strings.Count(local, "regression at run") {
		t.Errorf("store and files disagree:\nstore:\n%s\nfiles:\n%s", out, local)
	}
	if _, errs, code := runCmd(t, nil, "history", "-server", srv.URL, "-q", "host:nosuch"); code != 2 || !strings.Contains(errs, "no benchmark results") {
		t.Errorf("empty query: exit %d, stderr %q", code, errs)
	}
	bad := filepath.Join(in, "bad.txt")
	os.WriteFile(bad, []byte("not a result\n"), 0o644)
	if _, errs, code := runCmd(t, nil, "upload", "-server", srv.URL, paths[0], bad); code != 2 || !strings.Contains(errs, "bad.txt") {
		t.Errorf("upload of a bad file: exit %d, stderr %q", code, errs)
	}
}
