//go:build unix

package resultfile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A FIFO, a device and a directory are refused before any read: a FIFO
// would block and /dev/zero never end.
func TestReadSpecial(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	for _, p := range []string{fifo, "/dev/zero", dir} {
		if _, err := Read(p); !errors.Is(err, ErrMalformed) {
			t.Errorf("Read(%s) = %v, want ErrMalformed", p, err)
		}
	}
	if _, err := Read(filepath.Join(dir, "none")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
