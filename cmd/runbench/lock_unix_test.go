//go:build unix

package main

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/clonebench/clonebench/workloads"
)

// TestRunLock: a second run refuses while the lock is held, naming the
// holder's pid, and -wait waits for it.
func TestRunLock(t *testing.T) {
	dir := t.TempDir()
	e := testEnv(dir, []workloads.Row{exactRow("Fake/op=a", time.Microsecond)})
	release, err := lockRun(e.lockPath, false, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	_, errs, code := runCmd(t, e, "run", "-count", "1", "-budget", "1s", "-report=false", "-o", filepath.Join(dir, "a.txt"))
	if code != exitBadInput {
		t.Errorf("exit %d, want 2", code)
	}
	checkOneLine(t, errs, "pid "+strconv.Itoa(os.Getpid()))
	go func() {
		time.Sleep(300 * time.Millisecond)
		release()
	}()
	if _, errs, code := runCmd(t, e, "run", "-wait", "-count", "1", "-budget", "1s", "-report=false", "-o", filepath.Join(dir, "b.txt")); code != 0 {
		t.Errorf("-wait: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.txt")); err == nil {
		t.Error("the refused run wrote its file")
	}
}
