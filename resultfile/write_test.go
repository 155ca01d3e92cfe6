package resultfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"
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

// TestWriteLineConfig: a line's own config lines follow the file's and
// change where they change, and Parse keeps one row across them.
func TestWriteLineConfig(t *testing.T) {
	var buf bytes.Buffer
	lines := []Line{
		{Name: "Create/style=fork/cpu=same", Iters: 10, Values: []benchfmt.Value{{Value: 100, Unit: "ns/op"}}, Config: []Config{{"round", "1"}}},
		{Name: "Create/style=fork/cpu=same", Iters: 10, Values: []benchfmt.Value{{Value: 110, Unit: "ns/op"}}, Config: []Config{{"round", "2"}}},
	}
	if err := Write(&buf, []Config{{"goos", "linux"}}, lines, nil); err != nil {
		t.Fatal(err)
	}
	want := "goos: linux\nround: 1\nBenchmarkCreate/style=fork/cpu=same 10 100 ns/op\nround: 2\nBenchmarkCreate/style=fork/cpu=same 10 110 ns/op\n"
	if got := strings.ReplaceAll(buf.String(), "\t", " "); !strings.Contains(strings.Join(strings.Fields(got), " "), strings.Join(strings.Fields(want), " ")) {
		t.Errorf("Write:\n%s\nwant\n%s", buf.String(), want)
	}
	f, err := Parse(&buf, "x.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 1 || len(f.Rows[0].Samples) != 2 {
		t.Errorf("Parse: %d rows, want one of 2 samples", len(f.Rows))
	}
}
