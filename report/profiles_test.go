package report

import (
	"path/filepath"
	"strings"
	"testing"
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
