//go:build unix

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

// lockRun takes the machine's run lock: two runs at once would measure
// each other. The lock goes with the fd, so a killed run never leaves it
// held; the file keeps the holder's pid for the refusal message.
func lockRun(path string, wait bool, stderr io.Writer) (release func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		// No lock file (a read-only /tmp): measure unguarded rather than not at all.
		fmt.Fprintf(stderr, "[runbench] warning: no run lock: %v\n", err)
		return func() {}, nil
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
