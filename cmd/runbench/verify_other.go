//go:build !linux

package main

import (
	"errors"
	"fmt"
	"runtime"
)

func verifyClaims() ([]claim, error) {
	return nil, fmt.Errorf("the claims are about the Linux kernel; this is %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
