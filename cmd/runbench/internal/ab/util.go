package ab

import (
	"errors"
	"io/fs"
	"os"
)

// unwrapPath drops the file name from a *PathError or *LinkError, which
// the message already names, keeping the cause.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
