package report

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/rowspec"
)

// testdata/pprof is a runbench run -pprof of fork, thread, three
// clone-flag steps and the pipe switch rows on the 2-vCPU guest, with the
// profiles its run wrote beside it.
func pprofData(t *testing.T) *Data {
	t.Helper()
	return mustLoad(t, "testdata/pprof/20261203T000000Z.txt")
}

func TestProfilesLoad(t *testing.T) {
	d := pprofData(t)
	if len(d.Profiles) != 7 {
		t.Fatalf("%d profiles, want 7", len(d.Profiles))
	}
	h := d.primary()
	fork, thread := d.forkThreadProfiles(h)
	if fork == nil || thread == nil {
		t.Fatal("fork or thread profile missing")
	}
	names := func(rp *RowProfile) []string {
		var out []string
		for _, f := range rp.kernelTop(5) {
			out = append(out, f.Name)
		}
		return out
	}
	if got := names(fork); !strings.Contains(strings.Join(got, " "), "copy_page_range") {
		t.Errorf("fork's top kernel functions %v lack copy_page_range", got)
	}
	if got := names(thread); strings.Contains(strings.Join(got, " "), "copy_page_range") {
		t.Errorf("thread's top kernel functions %v name copy_page_range", got)
	}
	// Profiled twins are never placed as plain rows.
	for _, r := range d.rowsOf(h, "Create") {
		if r.Spec.Pprof != "" {
			t.Errorf("rowsOf placed the twin %s", r.Name)
		}
	}
}

// report.md names the functions, the +VM step's function, and the
// sampling source with its bias; flame.png matches its golden image.
func TestProfilesReport(t *testing.T) {
	dir, md := writeReport(t, pprofData(t))
	for _, want := range []string{
		"### Down to the kernel function (pprof=cpu)",
		"| Create/style=fork/cpu=same | ",
		"`copy_page_range` ",
		"- +VM (copy_mm",
		"**copy_page_range** ",
		"charged to where they come back on (_raw_spin_unlock_irqrestore, finish_task_switch)",
		"![Down to the kernel function: fork against thread (pprof=cpu)](flame.png)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	checkImage(t, filepath.Join(dir, "flame.png"))
}

// A twin sampled in worker processes states its overhead from its own
// pairs; one without the worker's plain figures (go test's) leaves it to
// the plain row.
func TestProfiledOverPlain(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ns, plain []float64
		want      string
	}{
		{"worker", []float64{110, 120, 115, 118, 112, 121}, []float64{100, 100, 100, 100, 100, 100}, "1.17× (95% CI 1.10–1.21×, 6 samples)"},
		{"few", []float64{110, 120}, []float64{100, 100}, "1.15× (2 samples)"},
		{"in-process", []float64{110, 120}, nil, ""},
		{"mixed", []float64{110, 120}, []float64{100}, ""},
	} {
		r := &Row{Values: map[string][]float64{rowspec.UnitNsOp: tc.ns, rowspec.UnitPlainNsOp: tc.plain}}
		if got := profiledOverPlain(r); got != tc.want {
			t.Errorf("%s: %q; want %q", tc.name, got, tc.want)
		}
	}
}
