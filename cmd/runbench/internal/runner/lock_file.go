//go:build unix && !linux

package runner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// DefaultLock is the machine's run lock: a file at a fixed path, never
// under $TMPDIR (per user on macOS, per shell anywhere), so every user's
// run finds the same one. /tmp is world-writable on every unix; the file
// is made 0666 whatever the umask, so any user can lock it.
const DefaultLock = "/tmp/clonebench-run.lock"

// lockRun takes the machine's run lock: two runs at once would measure
// each other. The lock goes with the fd, so a killed run never leaves it
// held; the file keeps the holder's pid for the refusal message. Without
// the lock it does not measure: a file it cannot open or lock is an error.
func lockRun(path string, wait bool, stderr io.Writer) (release func(), err error) {
	f, err := openLockFile(path)
	if err != nil {
		return nil, fmt.Errorf("run lock %s: %w", path, err)
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		holder := "another process"
		if b, rerr := os.ReadFile(path); rerr == nil && strings.TrimSpace(string(b)) != "" {
			holder = "pid " + strings.TrimSpace(string(b))
		}
		if !wait {
			f.Close()
			return nil, badInput("another run holds %s (%s); one run at a time per machine, or use -wait", path, holder)
		}
		fmt.Fprintf(stderr, "[runbench] waiting for %s to finish (lock %s)\n", holder, path)
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() { f.Close() }, nil
}

// openLockFile opens path for locking: an existing file without O_CREAT
// (which a sticky directory's protected_regular refuses for another
// user's file), else a new one with O_EXCL (never following a planted
// link) made 0666 past the umask.
func openLockFile(path string) (*os.File, error) {
	for {
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if !errors.Is(err, os.ErrNotExist) {
			return f, err
		}
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, os.ErrExist) {
			continue // another run made it first
		}
		if err != nil {
			return nil, err
		}
		if err := f.Chmod(0o666); err != nil {
			f.Close()
			return nil, err
		}
		return f, nil
	}
}
