//go:build !linux

package ab

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

func knobSupported() error {
	return fmt.Errorf("kernel settings under /proc/sys and /sys are Linux's, not %s's: %w", runtime.GOOS, errors.ErrUnsupported)
}

func lockFile(*os.File, bool) error { return knobSupported() }
