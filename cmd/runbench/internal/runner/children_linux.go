//go:build linux

package runner

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/internal/procfs"
)

// killChildren SIGKILLs and reaps every child process of runbench: the
// process-style children of a row abandoned after a signal. Thread-style
// children (CLONE_THREAD) are not children in this sense; they end with
// the process. It returns how many it reaped.
func killChildren(deadline time.Time) (int, error) {
	pids, err := procfs.Children()
	if err != nil {
		return 0, err
	}
	for _, pid := range pids {
		unix.Kill(pid, unix.SIGKILL)
	}
	reaped := 0
	for _, pid := range pids {
		// __WALL: raw clone children may have no exit signal, or one other
		// than SIGCHLD, and plain wait4 ignores those.
		for time.Now().Before(deadline) {
			var ws unix.WaitStatus
			got, err := unix.Wait4(pid, &ws, unix.WALL|unix.WNOHANG, nil)
			if got == pid || err != nil { // reaped, or reaped by the row's own cleanup
				reaped++
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return reaped, nil
}
