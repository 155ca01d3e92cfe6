//go:build linux

package ab

import (
	"os"
	"syscall"
)

func knobSupported() error { return nil }

// lockFile takes an exclusive flock on f, waiting for it or not; the
// kernel drops it with the process, however it ends.
func lockFile(f *os.File, wait bool) error {
	how := syscall.LOCK_EX
	if !wait {
		how |= syscall.LOCK_NB
	}
	return syscall.Flock(int(f.Fd()), how)
}
