//go:build cgo

// The storage server's SQLite driver (mattn/go-sqlite3) needs cgo; a
// CGO_ENABLED=0 build has the client only, and skips this test.

package history

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/perf/storage/app"
	"golang.org/x/perf/storage/db"
	_ "golang.org/x/perf/storage/db/sqlite3"
	"golang.org/x/perf/storage/fs/local"
)

// perfdata starts x/perf's storage app on loopback, as localperfdata
// does: SQLite and the uploaded files under t.TempDir().
func perfdata(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	// The app logs every file and query; a test's output is for failures.
	if os.Getenv("PERFDATA_LOG") == "" {
		log.SetOutput(io.Discard)
	}
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	d, err := db.OpenSQL("sqlite3", filepath.Join(dir, "perfdata.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	a := &app.App{
		DB:   d,
		FS:   local.NewFS(filepath.Join(dir, "files")),
		Auth: func(http.ResponseWriter, *http.Request) (string, error) { return "clonebench-test", nil },
	}
	mux := http.NewServeMux()
	a.RegisterOnMux(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestFleetRoundTrip uploads two machines' series to a real storage server
// and reads one back by query: the files, their rows and figures, and so
// the change points, are those of the local files.
func TestFleetRoundTrip(t *testing.T) {
	server := perfdata(t)
	dir := t.TempDir()
	rows := synthRows(map[string]synthRow{"Create/style=fork/cpu=same": {level: step(20, 0.05)}})
	paths := synthFiles(t, dir, 30, 0.02, 16, rows)
	// A second machine in the store: the query must not mix it in.
	otherPaths := synthFiles(t, t.TempDir(), 8, 0.02, 5, synthRows(nil))
	ctx := context.Background()
	st, err := Upload(ctx, server, paths)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.FileIDs) != len(paths) {
		t.Fatalf("upload: %d file IDs for %d files", len(st.FileIDs), len(paths))
	}
	if _, err := Upload(ctx, server, otherPaths); err != nil {
		t.Fatal(err)
	}
	files, err := Query(ctx, server, "upload:"+st.UploadID)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(paths) {
		t.Fatalf("query: %d files, want %d", len(files), len(paths))
	}
	ms, err := Build(files, ByTime{})
	if err != nil {
		t.Fatal(err)
	}
	Analyze(ms, Options{})
	local := analyze(t, paths)
	if got, want := fmt.Sprint(changes(ms)), fmt.Sprint(changes(local)); got != want {
		t.Errorf("change points through the store %s, local %s", got, want)
	}
	if len(ms) != 1 || ms[0].ID != local[0].ID || len(ms[0].Series) != len(local[0].Series) {
		t.Fatalf("machines through the store %d, want 1 with %d series", len(ms), len(local[0].Series))
	}
	for i, s := range ms[0].Series {
		ls := local[0].Series[i]
		if s.Name != ls.Name || fmt.Sprint(s.Medians()) != fmt.Sprint(ls.Medians()) {
			t.Errorf("series %d through the store %s %v, local %s %v", i, s.Name, s.Medians(), ls.Name, ls.Medians())
		}
	}
	// A query by config label, as a fleet would ask for one machine.
	files, err = Query(ctx, server, "host:synth upload:"+st.UploadID)
	if err != nil || len(files) != len(paths) {
		t.Errorf("query by host: %d files, %v", len(files), err)
	}
	if _, err := Query(ctx, server, "host:nosuchhost"); err == nil {
		t.Errorf("query matching nothing: no error")
	}
}

// TestFleetRealRuns sends real runs (testdata/vm, from results/vm) through
// the store: every row's per-run median comes back the same.
func TestFleetRealRuns(t *testing.T) {
	server := perfdata(t)
	paths := realPaths(t)
	st, err := Upload(context.Background(), server, paths)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Query(context.Background(), server, "upload:"+st.UploadID)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := Build(files, ByTime{})
	if err != nil {
		t.Fatal(err)
	}
	local := analyze(t, paths)
	if len(ms) != 1 || ms[0].ID != local[0].ID {
		t.Fatalf("machine through the store %v, local %q", ms, local[0].ID)
	}
	if len(ms[0].Series) != len(local[0].Series) {
		t.Fatalf("%d series through the store, %d local", len(ms[0].Series), len(local[0].Series))
	}
	for i, s := range ms[0].Series {
		if ls := local[0].Series[i]; s.Name != ls.Name || fmt.Sprint(s.Medians()) != fmt.Sprint(ls.Medians()) {
			t.Errorf("%s: %v through the store, %s %v local", s.Name, s.Medians(), ls.Name, ls.Medians())
		}
	}
}
