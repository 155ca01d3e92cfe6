package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clonebench/clonebench/workloads"
)

func TestReportOutput(t *testing.T) {
	dir := t.TempDir()
	e := testEnv(dir, []workloads.Row{exactRow("Fake/op=a", time.Microsecond)})
	res := filepath.Join(dir, "r.txt")
	if _, errs, code := runCmd(t, e, "run", "-count", "6", "-budget", "1s", "-report=false", "-o", res); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}

	t.Run("empty dir", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "rep")
		if err := os.Mkdir(out, 0o755); err != nil {
			t.Fatal(err)
		}
		// A temporary directory of a killed report, and one being drawn.
		stale := filepath.Join(filepath.Dir(out), ".report-stale")
		fresh := filepath.Join(filepath.Dir(out), ".report-fresh")
		for _, d := range []string{stale, fresh} {
			if err := os.Mkdir(d, 0o700); err != nil {
				t.Fatal(err)
			}
		}
		old := time.Now().Add(-time.Hour)
		os.Chtimes(stale, old, old)
		if _, errs, code := runCmd(t, e, "report", "-o", out, res); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if _, err := os.Stat(filepath.Join(out, "report.md")); err != nil {
			t.Error(err)
		}
		if _, err := os.Stat(stale); err == nil {
			t.Errorf("stale %s left", stale)
		}
		if _, err := os.Stat(fresh); err != nil {
			t.Errorf("a report in progress was removed: %v", err)
		}
	})

	t.Run("file", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "rep")
		if err := os.WriteFile(out, []byte("keep\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, errs, code := runCmd(t, e, "report", "-o", out, res)
		if code != exitBadInput {
			t.Errorf("exit %d, want 2", code)
		}
		checkOneLine(t, errs, out)
		if strings.Contains(errs, ".report-") {
			t.Errorf("error names the temporary directory: %s", errs)
		}
		if b, _ := os.ReadFile(out); string(b) != "keep\n" {
			t.Errorf("-o file changed")
		}
	})
}
