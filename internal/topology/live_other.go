//go:build !linux

package topology

import (
	"errors"
	"fmt"
)

// AllowedCPUs needs Linux's sched_getaffinity.
func AllowedCPUs() ([]int, error) {
	return nil, fmt.Errorf("topology: the allowed CPU set needs Linux's sched_getaffinity: %w", errors.ErrUnsupported)
}

// Live needs Linux's sysfs.
func Live() (*Topology, error) {
	_, err := AllowedCPUs()
	return nil, err
}
