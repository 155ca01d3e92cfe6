//go:build !linux

package workloads

import (
	"errors"
	"fmt"
)

// onOneCPU needs Linux's sched_setaffinity; the rows that use it are
// Linux-only (raw clone, glibc).
func onOneCPU(func() (Result, error)) (Result, error) {
	return Result{}, fmt.Errorf("cpu=same needs Linux's sched_setaffinity: %w", errors.ErrUnsupported)
}
