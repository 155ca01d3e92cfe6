package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clonebench/clonebench/workloads"
)

// TestRunOutputCheckedFirst: a result directory that cannot be made is
// refused before any pilot, naming what the user gave.
func TestRunOutputCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name       string
		resultsDir string
		args       []string
		want       string
	}{
		{"-o under a file", "", []string{"-o", filepath.Join(file, "sub", "r.txt")}, filepath.Join(file, "sub")},
		{"results under a file", filepath.Join(file, "results"), nil, filepath.Join(file, "results")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := &spinRow{name: "Fake/op=a", perOp: time.Microsecond}
			e := testEnv(t.TempDir(), []workloads.Row{a.row(workloads.Quick)})
			if tt.resultsDir != "" {
				e.resultsDir = tt.resultsDir
			}
			out, errs, code := runCmd(t, e, append([]string{"run", "-count", "1", "-budget", "1s"}, tt.args...)...)
			if code != exitBadInput {
				t.Errorf("exit %d, want 2; stderr:\n%s", code, errs)
			}
			checkOneLine(t, errs, tt.want)
			if strings.Contains(errs, "pilot") || a.calls.Load() != 0 {
				t.Errorf("measured before refusing: %d calls\n%s", a.calls.Load(), errs)
			}
			if out != "" {
				t.Errorf("stdout %q", out)
			}
		})
	}
}

// TestRunRescuesSamples: when -o appears during the run, the samples go to
// a file in the temporary directory, which stderr names.
func TestRunRescuesSamples(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	out := filepath.Join(dir, "r.txt")
	e := testEnv(dir, []workloads.Row{exactRow("Fake/op=a", time.Microsecond)})
	e.beforeSample = func(_ string, sample int) {
		if sample == 1 {
			os.WriteFile(out, []byte("someone else's\n"), 0o644)
		}
	}
	_, errs, code := runCmd(t, e, "run", "-count", "2", "-budget", "1s", "-report=false", "-o", out)
	if code != exitFail {
		t.Errorf("exit %d, want 1; stderr:\n%s", code, errs)
	}
	if !strings.Contains(errs, "writing "+out+": file already exists") || strings.Contains(errs, ".tmp") {
		t.Errorf("stderr does not name %s (or names the temporary file):\n%s", out, errs)
	}
	kept, _ := filepath.Glob(filepath.Join(tmp, "runbench-rescued-*.txt"))
	if len(kept) != 1 || !strings.Contains(errs, kept[0]) {
		t.Fatalf("rescued files %v, stderr:\n%s", kept, errs)
	}
	if res, _ := readBack(t, kept[0]); len(res) != 2 {
		t.Errorf("rescued %d samples, want 2", len(res))
	}
	if b, _ := os.ReadFile(out); string(b) != "someone else's\n" {
		t.Errorf("-o was overwritten")
	}
}

// TestPartialWarns: compare and run -baseline say a file is partial.
func TestPartialWarns(t *testing.T) {
	dir := t.TempDir()
	e := testEnv(dir, []workloads.Row{exactRow("Fake/op=a", time.Microsecond)})
	base := filepath.Join(dir, "base.txt")
	if _, errs, code := runCmd(t, e, "run", "-count", "6", "-budget", "1s", "-report=false", "-o", base); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	raw, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	part := filepath.Join(dir, "part.txt")
	if err := os.WriteFile(part, []byte("partial: true\n"+string(raw)), 0o644); err != nil {
		t.Fatal(err)
	}
	want := part + " is a partial run (interrupted)"
	if _, errs, code := runCmd(t, e, "compare", part, base); code != 0 || !strings.Contains(errs, want) {
		t.Errorf("compare: exit %d, stderr lacks %q:\n%s", code, want, errs)
	}
	if _, errs, code := runCmd(t, e, "compare", base, base); code != 0 || strings.Contains(errs, "partial") {
		t.Errorf("compare of whole files: exit %d, stderr:\n%s", code, errs)
	}
	if _, errs, code := runCmd(t, e, "run", "-count", "6", "-budget", "1s", "-report=false", "-baseline", part); code != 0 || !strings.Contains(errs, want) {
		t.Errorf("run -baseline: exit %d, stderr lacks %q:\n%s", code, want, errs)
	}
}
