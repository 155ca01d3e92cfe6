//go:build !linux

package runner

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

// killChildren has nothing to do where rows run no raw clone children.
func killChildren(time.Time) (int, error) {
	return 0, fmt.Errorf("killing children on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
