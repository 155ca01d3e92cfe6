//go:build !linux

package procfs

import (
	"errors"
	"fmt"
)

var errNoProc = fmt.Errorf("procfs: no Linux /proc or kcmp(2) here: %w", errors.ErrUnsupported)

// Status reads /proc/TID/status; only on Linux.
func Status(tid int) (map[string]string, error) { return nil, errNoProc }

// ReadStatus reads a /proc status file; only on Linux.
func ReadStatus(path string) (map[string]string, error) { return nil, errNoProc }

// Kcmp compares two tasks with kcmp(2); only on Linux.
func Kcmp(pid1, pid2, typ int) (bool, error) { return false, errNoProc }

// Tasks lists /proc/self/task; only on Linux.
func Tasks() ([]int, error) { return nil, errNoProc }

// Counts counts this process's non-runtime tasks, fds and mappings; only on Linux.
func Counts() (tasks, fds, maps int, err error) { return 0, 0, 0, errNoProc }

// Task flags StatFlags callers test.
const (
	PFExiting = 0x00000004
	PFKthread = 0x00200000
)

// StatFlags reads a task's flags from its stat file; only on Linux.
func StatFlags(path string) (uint64, error) { return 0, errNoProc }

// TaskGone reports whether err says a task is gone; only on Linux.
func TaskGone(err error) bool { return false }

// Exiting lists this process's threads in do_exit; only on Linux.
func Exiting() ([]int, error) { return nil, errNoProc }

// ExitingNew is Exiting less before; only on Linux.
func ExitingNew(before []int) ([]int, error) { return nil, errNoProc }

// Steal needs Linux's /proc/stat.
func Steal() (uint64, error) { return 0, errNoProc }

// Softirq needs Linux's /proc/softirqs.
func Softirq(name string) (uint64, error) { return 0, errNoProc }
