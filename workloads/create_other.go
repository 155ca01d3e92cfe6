//go:build !linux

package workloads

import (
	"errors"
	"fmt"
	"runtime"
)

func thpSkipReason() string {
	return fmt.Sprintf("needs Linux transparent huge pages, have %s", runtime.GOOS)
}

func mapTouched(size int, thp bool) ([]byte, func() error, error) {
	return nil, nil, fmt.Errorf("touched anonymous memory with huge-page advice on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

func openFDs(n int) (func() error, error) {
	return nil, fmt.Errorf("fd table fill on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
