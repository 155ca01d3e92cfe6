//go:build unix

package runner

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRunLock: a second run refuses while the lock is held, naming the
// holder's pid, and Wait waits for it.
func TestRunLock(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions(dir, exactRow("Fake/op=a", time.Microsecond))
	opts.Count = 1
	release, err := lockRun(opts.LockPath, false, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	opts.Out = filepath.Join(dir, "a.txt")
	if _, _, _, err := run(opts); !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("err %v, want bad input naming our pid", err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		release()
	}()
	opts.Out, opts.Wait = filepath.Join(dir, "b.txt"), true
	if _, errs, _, err := run(opts); err != nil {
		t.Errorf("Wait: %v: %s", err, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.txt")); err == nil {
		t.Error("the refused run wrote its file")
	}
}
