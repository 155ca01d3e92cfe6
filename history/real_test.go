package history

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clonebench/clonebench/resultfile"
)

// realDir holds three real default runs from results/vm, copied so the
// tests do not change as results/vm grows.
const realDir = "testdata/vm"

func realPaths(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(realDir, "*.txt"))
	if err != nil || len(paths) < 3 {
		t.Fatalf("%s: want at least 3 runs, have %d (%v)", realDir, len(paths), err)
	}
	return paths
}

// TestRealDirectory runs history on a copy of results/vm: three runs, too
// few for two segments, and the report says so rather than calling the
// rows flat.
func TestRealDirectory(t *testing.T) {
	dir := t.TempDir()
	var copies []string
	for _, p := range realPaths(t) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		c := filepath.Join(dir, filepath.Base(p))
		if err := os.WriteFile(c, b, 0o644); err != nil {
			t.Fatal(err)
		}
		copies = append(copies, c)
	}
	ms := analyze(t, copies)
	if len(ms) != 1 || len(ms[0].Runs) != len(copies) {
		t.Fatalf("%d machines, want 1 with %d runs", len(ms), len(copies))
	}
	if got := changes(ms); len(got) != 0 {
		t.Errorf("change points %v in three runs", got)
	}
	var b strings.Builder
	WriteText(&b, ms, Summary{Order: ByTime{}, Threshold: 2})
	if !strings.Contains(b.String(), "not tested: no row has the 6 runs two segments need") {
		t.Errorf("report does not say the rows were not tested:\n%s", b.String())
	}
}

// realSeries is a longer series made of this machine's real runs: run i
// is real run i mod 3 under a new UTCTIME a day apart, so the run-to-run
// noise is the machine's own. plant, if set, scales row's samples by
// 1+frac from run at on, in memory, after resultfile has read the file.
func realSeries(t *testing.T, runs int, row string, at int, frac float64) []*resultfile.File {
	t.Helper()
	paths := realPaths(t)
	t0 := time.Date(2026, 12, 2, 3, 17, 0, 0, time.UTC)
	var files []*resultfile.File
	for i := 0; i < runs; i++ {
		raw, err := os.ReadFile(paths[i%len(paths)])
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(t.TempDir(), resultfile.NewRunName(t0.Add(time.Duration(i)*24*time.Hour), false).String())
		f, err := resultfile.Parse(strings.NewReader(string(raw)), name)
		if err != nil {
			t.Fatal(err)
		}
		if row != "" && i >= at {
			planted := false
			for _, r := range f.Rows {
				if r.CompareName() != row {
					continue
				}
				for si := range r.Samples {
					for vi := range r.Samples[si].Values {
						v := &r.Samples[si].Values[vi]
						v.Value *= 1 + frac
						v.OrigValue *= 1 + frac
					}
				}
				planted = true
			}
			if !planted {
				t.Fatalf("%s: no row %s to plant a step in", paths[i%len(paths)], row)
			}
		}
		files = append(files, f)
	}
	return files
}

func TestRealPlantedStep(t *testing.T) {
	const row = "Create/style=thread/cpu=same"
	tests := []struct {
		name string
		row  string
		want []string
	}{
		{"unplanted", "", nil},
		{"planted", row, []string{row + "@9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := realSeries(t, 15, tt.row, 8, 0.08)
			ms, err := Build(files, ByTime{})
			if err != nil {
				t.Fatal(err)
			}
			Analyze(ms, Options{})
			if got := changes(ms); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("change points %v, want %v", got, tt.want)
			}
		})
	}
}
