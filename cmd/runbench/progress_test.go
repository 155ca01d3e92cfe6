package main

import (
	"bytes"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/clonebench/clonebench/workloads"
)

// brokenPipe is stderr piped into a reader that has gone away.
type brokenPipe struct{ writes int }

func (b *brokenPipe) Write([]byte) (int, error) {
	b.writes++
	return 0, syscall.EPIPE
}

// TestRunSurvivesBrokenStderr: progress to a closed pipe stops after the
// first failed write; the run goes on and writes its file.
func TestRunSurvivesBrokenStderr(t *testing.T) {
	dir := t.TempDir()
	e := testEnv(dir, []workloads.Row{exactRow("Fake/op=a", time.Microsecond)})
	stderr := &brokenPipe{}
	var stdout bytes.Buffer
	out := filepath.Join(dir, "r.txt")
	code := e.main(&stdout, stderr, []string{"run", "-count", "3", "-budget", "1s", "-report=false", "-o", out})
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if stderr.writes != 1 {
		t.Errorf("%d writes to the broken stderr, want 1", stderr.writes)
	}
	if res, _ := readBack(t, out); len(res) != 3 {
		t.Errorf("%d samples, want 3", len(res))
	}
}
