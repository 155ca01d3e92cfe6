package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/hist"
)

// A sidecar handed to report (a glob like results/HOST/*) is bad input
// that says which file to pass instead.
func TestReportRefusesSidecar(t *testing.T) {
	dir := t.TempDir()
	side := filepath.Join(dir, "r.hist")
	if err := os.WriteFile(side, []byte(hist.Header+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCmd(t, testEnv(dir, nil), "report", "-o", filepath.Join(dir, "out"), side)
	if code != 2 || !strings.Contains(stderr, "r.hist: a latency histogram sidecar") {
		t.Errorf("exit %d, stderr %q; want 2 and a message naming the sidecar", code, stderr)
	}
}
