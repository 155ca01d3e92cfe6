package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/workloads"
)

// TestReportIntoEmptyDir: report -o into an existing empty directory draws
// into that directory, the same one (its inode, owner and mode kept: it
// was once removed and re-made 0755), and a failed draw leaves it there,
// empty (it was once left gone).
func TestReportIntoEmptyDir(t *testing.T) {
	dir := t.TempDir()
	e := testEnv(dir, []workloads.Row{exactRow("Fake/op=a", time.Microsecond)})
	res := filepath.Join(dir, "r.txt")
	if _, errs, code := runCmd(t, e, "run", "-count", "2", "-budget", "1s", "-report=false", "-o", res); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	draw := e.writeReport
	for _, tc := range []struct {
		name  string
		fail  bool
		files []string // left in the directory
	}{
		{"drawn", false, []string{"report.md"}},
		{"failed draw", true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "rep")
			if err := os.Mkdir(out, 0o700); err != nil {
				t.Fatal(err)
			}
			before, err := os.Stat(out)
			if err != nil {
				t.Fatal(err)
			}
			e.writeReport = draw
			if tc.fail {
				e.writeReport = func(dir string, files []*resultfile.File, cmp *comparison.Comparison) ([]string, error) {
					os.WriteFile(filepath.Join(dir, "half.png"), []byte("x"), 0o644)
					return nil, errors.New("chart: out of ink")
				}
			}
			_, errs, code := runCmd(t, e, "report", "-o", out, res)
			if (code != 0) != tc.fail {
				t.Fatalf("exit %d: %s", code, errs)
			}
			after, err := os.Stat(out)
			if err != nil {
				t.Fatalf("the directory is gone: %v", err)
			}
			if !os.SameFile(before, after) || after.Mode() != before.Mode() {
				t.Errorf("directory replaced or its mode changed: %v → %v", before.Mode(), after.Mode())
			}
			ents, _ := os.ReadDir(out)
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			if len(names) != len(tc.files) || len(names) > 0 && names[0] != tc.files[0] {
				t.Errorf("directory holds %v, want %v", names, tc.files)
			}
		})
	}
}
