package resultfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// WriteNew never replaces a file, and WriteFresh finds the next free name.
func TestWriteNewNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "r.txt")
	put := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	if err := WriteNew(path, put("first\n")); err != nil {
		t.Fatal(err)
	}
	if err := WriteNew(path, put("second\n")); !errors.Is(err, os.ErrExist) {
		t.Errorf("second WriteNew: %v, want os.ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "first\n" {
		t.Errorf("file now %q", b)
	}
	got, err := WriteFresh(filepath.Join(dir, "sub", "r"), ".txt", put("third\n"))
	if want := filepath.Join(dir, "sub", "r-2.txt"); err != nil || got != want {
		t.Errorf("WriteFresh = %s, %v; want %s", got, err, want)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "sub", ".runbench-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if err := CheckDir(path); err == nil {
		t.Errorf("CheckDir of a file: no error")
	}
}
