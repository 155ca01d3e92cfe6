//go:build !linux

package procfs

// Children lists this process's child processes; only on Linux.
func Children() ([]int, error) { return nil, errNoProc }
