//go:build !linux

package claims

import (
	"errors"
	"fmt"
	"runtime"
)

// Check checks the claims; they are about the Linux kernel.
func Check() ([]Claim, error) {
	return nil, fmt.Errorf("the claims are about the Linux kernel; this is %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
