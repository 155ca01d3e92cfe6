package resultfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// WriteNew never replaces a file, WriteReplace does, and WriteRun finds
// the next free run name.
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
	if err := WriteReplace(path, put("replaced\n")); err != nil {
		t.Errorf("WriteReplace: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "replaced\n" {
		t.Errorf("after WriteReplace the file is %q", b)
	}
	start := time.Date(2026, 12, 3, 9, 59, 40, 500, time.FixedZone("CET", 3600))
	for _, want := range []string{"20261203T085940Z.txt", "20261203T085940Z-2.txt", "20261203T085940Z-3.txt"} {
		free, err := FreeRunPath(filepath.Join(dir, "sub"), start, false)
		if err != nil || filepath.Base(free) != want {
			t.Errorf("FreeRunPath = %s, %v; want %s", free, err, want)
		}
		got, err := WriteRun(filepath.Join(dir, "sub"), start, false, put("run\n"))
		if err != nil || got != free {
			t.Errorf("WriteRun = %s, %v; want %s", got, err, free)
		}
	}
	if got, err := WriteRun(filepath.Join(dir, "sub"), start, true, put("run\n")); err != nil || filepath.Base(got) != "20261203T085940Z-partial.txt" {
		t.Errorf("WriteRun partial = %s, %v", got, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "sub", ".runbench-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if err := CheckDir(path); err == nil {
		t.Errorf("CheckDir of a file: no error")
	}
}
